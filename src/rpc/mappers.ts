import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  SCIMConfigurationSchema,
  SSOConfiguration_ProviderType,
  SSOConfigurationSchema,
  SSOConfigurationState,
  type SCIMConfiguration,
  type SSOConfiguration,
} from "../../gen/gitpod/v1/organization_pb.js";
import { tokenExpiresAt, type ScimConfigurationRecord, type SsoConfigurationRecord, type SsoConfigurationState, type SsoProviderType } from "../domain/records.js";

/** Record -> message. The token hash and the lifetime stay behind: the model never carries them. */
export function scimConfigurationToProto(r: ScimConfigurationRecord): SCIMConfiguration {
  return create(SCIMConfigurationSchema, {
    id: r.id,
    organizationId: r.organizationId,
    name: r.name,
    enabled: r.enabled,
    ssoConfigurationId: r.ssoConfigurationId,
    createdAt: timestampFromDate(r.createdAt),
    updatedAt: timestampFromDate(r.updatedAt),
    tokenExpiresAt: timestampFromDate(tokenExpiresAt(r)),
    allowUnverifiedEmailAccountLinking: r.allowUnverifiedEmailAccountLinking,
  });
}

const stateToProto: Record<SsoConfigurationState, SSOConfigurationState> = {
  unspecified: SSOConfigurationState.SSO_CONFIGURATION_STATE_UNSPECIFIED,
  inactive: SSOConfigurationState.SSO_CONFIGURATION_STATE_INACTIVE,
  active: SSOConfigurationState.SSO_CONFIGURATION_STATE_ACTIVE,
};

const providerToProto: Record<SsoProviderType, SSOConfiguration_ProviderType> = {
  unspecified: SSOConfiguration_ProviderType.UNSPECIFIED,
  builtin: SSOConfiguration_ProviderType.BUILTIN,
  custom: SSOConfiguration_ProviderType.CUSTOM,
};

export function stateFromProto(state: SSOConfigurationState): SsoConfigurationState | undefined {
  return (Object.keys(stateToProto) as SsoConfigurationState[]).find((k) => stateToProto[k] === state);
}

/** Record -> message. The client secret (stored only as a hash) is never returned. */
export function ssoConfigurationToProto(r: SsoConfigurationRecord): SSOConfiguration {
  return create(SSOConfigurationSchema, {
    id: r.id,
    organizationId: r.organizationId,
    clientId: r.clientId,
    issuerUrl: r.issuerUrl,
    state: stateToProto[r.state],
    claims: { ...r.claims },
    emailDomain: r.emailDomain,
    providerType: providerToProto[r.providerType],
    emailDomains: [...r.emailDomains],
    displayName: r.displayName,
    additionalScopes: [...r.additionalScopes],
    claimsExpression: r.claimsExpression,
  });
}

/**
 * An upper bound of an SSO configuration's encoded size in either format: 6 bytes per UTF-16
 * unit covers UTF-8 (at most 3 per unit) and JSON escapes (at most 6, \u0000), plus room for
 * field names, quotes and the fixed-size fields.
 */
export function ssoConfigurationSizeBound(r: SsoConfigurationRecord): number {
  const texts = [r.id, r.organizationId, r.clientId, r.issuerUrl, r.emailDomain, r.displayName, r.claimsExpression, ...r.emailDomains, ...r.additionalScopes, ...Object.keys(r.claims), ...Object.values(r.claims)];
  return 512 + texts.reduce((sum, t) => sum + 6 * t.length + 8, 0);
}
