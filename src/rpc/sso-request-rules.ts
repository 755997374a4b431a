import type { CreateSSOConfigurationRequest, UpdateSSOConfigurationRequest } from "../../gen/gitpod/v1/organization_pb.js";
import { hashSecret } from "../domain/secret-token.js";
import { domainName, lengthBetween, maxLength, requireNonEmpty, requireUri, uniqueItems } from "../domain/rules.js";
import type { NewSsoConfiguration } from "../domain/sso-configurations.js";
import { ValidationError } from "../domain/validation-error.js";
import type { SsoConfigurationPatch } from "../domain/ports.js";
import { stateFromProto } from "./mappers.js";

const DISPLAY_NAME_MAX = 128;
const CLAIMS_EXPRESSION_MAX = 4096;
const SCOPES_MAX_ITEMS = 100;
const SCOPE_MAX_LENGTH = 128;

/** Validates a create request's SSO fields (all but organization_id) into a new record's fields. */
export function ssoCreateInput(req: CreateSSOConfigurationRequest): Omit<NewSsoConfiguration, "organizationId"> {
  return {
    clientId: requireNonEmpty("client_id", req.clientId),
    clientSecretHash: hashSecret(requireNonEmpty("client_secret", req.clientSecret)),
    issuerUrl: requireUri("issuer_url", req.issuerUrl),
    state: "inactive",
    providerType: "custom",
    claims: {},
    emailDomain: req.emailDomain === undefined ? "" : emailDomain(req.emailDomain),
    emailDomains: emailDomains(req.emailDomains),
    displayName: maxLength("display_name", req.displayName, DISPLAY_NAME_MAX),
    additionalScopes: scopes(req.additionalScopes),
    claimsExpression: maxLength("claims_expression", req.claimsExpression ?? "", CLAIMS_EXPRESSION_MAX),
  };
}

/** Validates an update request into a patch: absent fields stay unchanged. */
export function ssoUpdatePatch(req: UpdateSSOConfigurationRequest): SsoConfigurationPatch {
  const patch: SsoConfigurationPatch = {};
  if (req.clientId !== undefined) patch.clientId = requireNonEmpty("client_id", req.clientId);
  if (req.clientSecret !== undefined) patch.clientSecretHash = hashSecret(requireNonEmpty("client_secret", req.clientSecret));
  if (req.issuerUrl !== undefined) patch.issuerUrl = requireUri("issuer_url", req.issuerUrl);
  if (req.state !== undefined) {
    const state = stateFromProto(req.state);
    if (state === undefined || state === "unspecified") {
      throw new ValidationError("state", "must be SSO_CONFIGURATION_STATE_INACTIVE or SSO_CONFIGURATION_STATE_ACTIVE");
    }
    patch.state = state;
  }
  // A proto3 map cannot say "absent" apart from "empty": only a non-empty map replaces the claims.
  if (Object.keys(req.claims).length > 0) patch.claims = claims(req.claims);
  if (req.emailDomain !== undefined) patch.emailDomain = emailDomain(req.emailDomain);
  if (req.emailDomains.length > 0) patch.emailDomains = emailDomains(req.emailDomains);
  if (req.displayName !== undefined) patch.displayName = maxLength("display_name", req.displayName, DISPLAY_NAME_MAX);
  if (req.additionalScopes !== undefined) patch.additionalScopes = scopes(req.additionalScopes.scopes, "additional_scopes.scopes");
  if (req.claimsExpression !== undefined) patch.claimsExpression = maxLength("claims_expression", req.claimsExpression, CLAIMS_EXPRESSION_MAX);
  return patch;
}

function emailDomain(value: string): string {
  if ([...value].length < 4) throw new ValidationError("email_domain", "must be at least 4 characters");
  return domainName("email_domain", value);
}

function emailDomains(values: readonly string[]): string[] {
  const out = values.map((v, i) => domainName(`email_domains[${i}]`, v));
  uniqueItems("email_domains", out);
  return out;
}

function scopes(values: readonly string[], field = "additional_scopes"): string[] {
  if (values.length > SCOPES_MAX_ITEMS) throw new ValidationError(field, `must have at most ${SCOPES_MAX_ITEMS} items`);
  return values.map((v, i) => lengthBetween(`${field}[${i}]`, v, 1, SCOPE_MAX_LENGTH));
}

function claims(map: Record<string, string>): Record<string, string> {
  const entries = Object.entries(map);
  if (entries.length > 100) throw new ValidationError("claims", "must have at most 100 entries");
  for (const [k, v] of entries) {
    lengthBetween("claims key", k, 1, 256);
    maxLength(`claims["${k}"]`, v, 1024);
  }
  return { ...map };
}
