import { create } from "@bufbuild/protobuf";
import { timestampFromDate, type Duration } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CreateSCIMClientSecretResponseSchema,
  CredentialUseSchema,
  GetSCIMIPAllowlistResponseSchema,
  ListSCIMClientSecretsResponseSchema,
  ListSCIMTokensResponseSchema,
  RevokeSCIMClientSecretResponseSchema,
  RevokeSCIMTokenResponseSchema,
  RotateSCIMTokenResponseSchema,
  SCIMClientSecretSchema,
  SCIMTokenSchema,
  SetSCIMIPAllowlistResponseSchema,
  type CreateSCIMClientSecretRequest,
  type CreateSCIMClientSecretResponse,
  type CredentialUse,
  type GetSCIMIPAllowlistRequest,
  type GetSCIMIPAllowlistResponse,
  type ListSCIMClientSecretsRequest,
  type ListSCIMClientSecretsResponse,
  type ListSCIMTokensRequest,
  type ListSCIMTokensResponse,
  type RevokeSCIMClientSecretRequest,
  type RevokeSCIMClientSecretResponse,
  type RevokeSCIMTokenRequest,
  type RevokeSCIMTokenResponse,
  type RotateSCIMTokenRequest,
  type RotateSCIMTokenResponse,
  type SCIMClientSecret,
  type SCIMCredentialService,
  type SCIMToken,
  type SetSCIMIPAllowlistRequest,
  type SetSCIMIPAllowlistResponse,
} from "../../gen/scimservice/v1/scim_credentials_pb.js";
import { parseAllowlist } from "../domain/credentials/ip-allowlist.js";
import { TOKEN_ENDPOINT_PATH, type ClientSecretView, type OAuthClients } from "../domain/credentials/oauth-clients.js";
import { MAX_OVERLAP_SECONDS, type ScimCredentials } from "../domain/credentials/scim-credentials.js";
import type { ScimTokenView } from "../domain/credentials/scim-token-set.js";
import type { CredentialUse as CredentialUseRecord } from "../domain/records.js";
import { requireUuid } from "../domain/rules.js";
import { DEFAULT_TOKEN_LIFETIME_SECONDS, tokenLifetimeSeconds } from "../domain/token-lifetime.js";
import { ValidationError } from "../domain/validation-error.js";
import { auditContextOf, noStore, principalOf, writer } from "./context.js";

/**
 * scimservice.v1.SCIMCredentialService: several live SCIM tokens, the IP allowlist and OAuth
 * client secrets of a configuration. Role first (writes need an admin key), then the fields;
 * every call is scoped to the caller's organization (another's configuration is not_found).
 */
export class ScimCredentialServiceHandler implements ServiceImpl<typeof SCIMCredentialService> {
  constructor(
    private readonly credentials: ScimCredentials,
    private readonly oauth: OAuthClients,
  ) {}

  async rotateSCIMToken(req: RotateSCIMTokenRequest, ctx: HandlerContext): Promise<RotateSCIMTokenResponse> {
    const { organizationId } = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const overlapSeconds = overlapOf(req.overlap);
    const lifetimeSeconds = req.tokenExpiresIn === undefined ? undefined : tokenLifetimeSeconds("token_expires_in", req.tokenExpiresIn, 0);
    const rotated = await this.credentials.rotateToken(organizationId, id, { overlapSeconds, lifetimeSeconds }, auditContextOf(ctx));
    noStore(ctx);
    return create(RotateSCIMTokenResponseSchema, {
      token: rotated.token,
      scimToken: tokenToProto(rotated.view),
      ...(rotated.overlapEndsAt ? { overlapEndsAt: timestampFromDate(rotated.overlapEndsAt) } : {}),
    });
  }

  async listSCIMTokens(req: ListSCIMTokensRequest, ctx: HandlerContext): Promise<ListSCIMTokensResponse> {
    const { organizationId } = principalOf(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const tokens = await this.credentials.listTokens(organizationId, id);
    return create(ListSCIMTokensResponseSchema, { tokens: tokens.map(tokenToProto) });
  }

  async revokeSCIMToken(req: RevokeSCIMTokenRequest, ctx: HandlerContext): Promise<RevokeSCIMTokenResponse> {
    const { organizationId } = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const tokenId = requireUuid("token_id", req.tokenId);
    await this.credentials.revokeToken(organizationId, id, tokenId, auditContextOf(ctx));
    return create(RevokeSCIMTokenResponseSchema);
  }

  async getSCIMIPAllowlist(req: GetSCIMIPAllowlistRequest, ctx: HandlerContext): Promise<GetSCIMIPAllowlistResponse> {
    const { organizationId } = principalOf(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    return create(GetSCIMIPAllowlistResponseSchema, { cidrs: await this.credentials.getIpAllowlist(organizationId, id) });
  }

  async setSCIMIPAllowlist(req: SetSCIMIPAllowlistRequest, ctx: HandlerContext): Promise<SetSCIMIPAllowlistResponse> {
    const { organizationId } = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const cidrs = parseAllowlist("cidrs", req.cidrs);
    return create(SetSCIMIPAllowlistResponseSchema, { cidrs: await this.credentials.setIpAllowlist(organizationId, id, cidrs, auditContextOf(ctx)) });
  }

  async createSCIMClientSecret(req: CreateSCIMClientSecretRequest, ctx: HandlerContext): Promise<CreateSCIMClientSecretResponse> {
    const { organizationId } = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const lifetime = tokenLifetimeSeconds("secret_expires_in", req.secretExpiresIn, DEFAULT_TOKEN_LIFETIME_SECONDS);
    const created = await this.oauth.createSecret(organizationId, id, lifetime, auditContextOf(ctx));
    noStore(ctx);
    return create(CreateSCIMClientSecretResponseSchema, {
      clientId: created.clientId,
      clientSecret: created.secret,
      secret: secretToProto(created.view),
      tokenEndpointPath: TOKEN_ENDPOINT_PATH,
    });
  }

  async listSCIMClientSecrets(req: ListSCIMClientSecretsRequest, ctx: HandlerContext): Promise<ListSCIMClientSecretsResponse> {
    const { organizationId } = principalOf(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const secrets = await this.oauth.listSecrets(organizationId, id);
    return create(ListSCIMClientSecretsResponseSchema, { clientId: id, secrets: secrets.map(secretToProto) });
  }

  async revokeSCIMClientSecret(req: RevokeSCIMClientSecretRequest, ctx: HandlerContext): Promise<RevokeSCIMClientSecretResponse> {
    const { organizationId } = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const secretId = requireUuid("secret_id", req.secretId);
    await this.oauth.revokeSecret(organizationId, id, secretId, auditContextOf(ctx));
    return create(RevokeSCIMClientSecretResponseSchema);
  }
}

/** The overlap rule: whole seconds from 0 to 7 days; absent is 0 (RegenerateSCIMToken's behaviour). */
function overlapOf(d: Duration | undefined): number {
  if (d === undefined) return 0;
  const rule = `must be between 0s and ${MAX_OVERLAP_SECONDS}s (7 days) in whole seconds`;
  if (d.nanos !== 0 || d.seconds < 0n || d.seconds > BigInt(MAX_OVERLAP_SECONDS)) throw new ValidationError("overlap", rule);
  return Number(d.seconds);
}

function useToProto(use: CredentialUseRecord | undefined): CredentialUse | undefined {
  return use && create(CredentialUseSchema, { usedAt: timestampFromDate(use.at), clientAddress: use.address, userAgent: use.userAgent });
}

function tokenToProto(t: ScimTokenView): SCIMToken {
  const lastUse = useToProto(t.lastUse);
  return create(SCIMTokenSchema, {
    id: t.id,
    prefix: t.prefix,
    createdAt: timestampFromDate(t.createdAt),
    expiresAt: timestampFromDate(t.expiresAt),
    current: t.current,
    ...(t.overlapEndsAt ? { overlapEndsAt: timestampFromDate(t.overlapEndsAt) } : {}),
    ...(lastUse ? { lastUse } : {}),
  });
}

function secretToProto(s: ClientSecretView): SCIMClientSecret {
  const lastUse = useToProto(s.lastUse);
  return create(SCIMClientSecretSchema, {
    id: s.id,
    prefix: s.prefix,
    createdAt: timestampFromDate(s.createdAt),
    expiresAt: timestampFromDate(s.expiresAt),
    ...(lastUse ? { lastUse } : {}),
  });
}


