import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CreateSCIMConfigurationResponseSchema,
  CreateSSOConfigurationResponseSchema,
  DeleteSCIMConfigurationResponseSchema,
  DeleteSSOConfigurationResponseSchema,
  GetSCIMConfigurationResponseSchema,
  GetSSOConfigurationResponseSchema,
  ListSCIMConfigurationsResponseSchema,
  ListSSOConfigurationsResponseSchema,
  RegenerateSCIMTokenResponseSchema,
  UpdateSCIMConfigurationResponseSchema,
  UpdateSSOConfigurationResponseSchema,
  type OrganizationService,
  type CreateSSOConfigurationRequest,
  type CreateSSOConfigurationResponse,
  type GetSSOConfigurationRequest,
  type GetSSOConfigurationResponse,
  type ListSSOConfigurationsRequest,
  type ListSSOConfigurationsResponse,
  type UpdateSSOConfigurationRequest,
  type UpdateSSOConfigurationResponse,
  type DeleteSSOConfigurationRequest,
  type DeleteSSOConfigurationResponse,
  type CreateSCIMConfigurationRequest,
  type CreateSCIMConfigurationResponse,
  type GetSCIMConfigurationRequest,
  type GetSCIMConfigurationResponse,
  type ListSCIMConfigurationsRequest,
  type ListSCIMConfigurationsResponse,
  type UpdateSCIMConfigurationRequest,
  type UpdateSCIMConfigurationResponse,
  type DeleteSCIMConfigurationRequest,
  type DeleteSCIMConfigurationResponse,
  type RegenerateSCIMTokenRequest,
  type RegenerateSCIMTokenResponse,
  type ListMembersRequest,
  type ListMembersResponse,
} from "../../gen/gitpod/v1/organization_pb.js";
import { PaginationResponseSchema } from "../../gen/gitpod/v1/pagination_pb.js";
import { fitPage, parsePageRequest } from "../domain/pagination.js";
import { requireOwnOrganization } from "../domain/principal.js";
import { optionalText, optionalUuid, requireUuid } from "../domain/rules.js";
import type { ScimConfigurations } from "../domain/scim-configurations.js";
import type { SsoConfigurations } from "../domain/sso-configurations.js";
import { DEFAULT_TOKEN_LIFETIME_SECONDS, tokenLifetimeSeconds } from "../domain/token-lifetime.js";
import type { OrganizationDirectory } from "../domain/provisioning/organization-directory.js";
import { auditContextOf, noStore, principalOf, queryPageParams, writer } from "./context.js";
import { listMembers } from "./member-requests.js";
import { scimConfigurationToProto, ssoConfigurationSizeBound, ssoConfigurationToProto } from "./mappers.js";
import { ssoCreateInput, ssoUpdatePatch } from "./sso-request-rules.js";

type Impl = ServiceImpl<typeof OrganizationService>;

export const NAME_MAX_LENGTH = 128;

/**
 * A list response stays well under the 4 MiB that gRPC clients accept by default (and the
 * server's writeMaxBytes): a page of large SSO configurations is cut short, with a next token.
 */
export const LIST_RESPONSE_BUDGET_BYTES = 3 * 1024 * 1024;

/**
 * gitpod.v1.OrganizationService: translates messages to use-case calls and back. Every method
 * checks the role first (so a member learns nothing from validation of a write), then the
 * fields, then scopes the call to the caller's organization.
 */
export class OrganizationServiceHandler implements Impl {
  constructor(
    private readonly scim: ScimConfigurations,
    private readonly sso: SsoConfigurations,
    private readonly directory: OrganizationDirectory,
  ) {}

  // Members (provisioned through SCIM)

  listMembers(req: ListMembersRequest, ctx: HandlerContext): Promise<ListMembersResponse> {
    return listMembers(this.directory, principalOf(ctx), req, queryPageParams(ctx));
  }

  // SSO configurations

  async createSSOConfiguration(req: CreateSSOConfigurationRequest, ctx: HandlerContext): Promise<CreateSSOConfigurationResponse> {
    const principal = writer(ctx);
    const organizationId = requireUuid("organization_id", req.organizationId);
    const input = ssoCreateInput(req);
    requireOwnOrganization(principal, organizationId);
    const record = await this.sso.create({ ...input, organizationId }, auditContextOf(ctx));
    return create(CreateSSOConfigurationResponseSchema, { ssoConfiguration: ssoConfigurationToProto(record) });
  }

  async getSSOConfiguration(req: GetSSOConfigurationRequest, ctx: HandlerContext): Promise<GetSSOConfigurationResponse> {
    const principal = principalOf(ctx);
    const id = requireUuid("sso_configuration_id", req.ssoConfigurationId);
    const record = await this.sso.get(principal.organizationId, id);
    return create(GetSSOConfigurationResponseSchema, { ssoConfiguration: ssoConfigurationToProto(record) });
  }

  async listSSOConfigurations(req: ListSSOConfigurationsRequest, ctx: HandlerContext): Promise<ListSSOConfigurationsResponse> {
    const principal = principalOf(ctx);
    const page = parsePageRequest(req.pagination ?? {}, queryPageParams(ctx));
    const organizationId = requireUuid("organization_id", req.organizationId);
    requireOwnOrganization(principal, organizationId);
    const result = fitPage(await this.sso.list(organizationId, page), LIST_RESPONSE_BUDGET_BYTES, ssoConfigurationSizeBound);
    return create(ListSSOConfigurationsResponseSchema, {
      pagination: create(PaginationResponseSchema, { nextToken: result.nextToken }),
      ssoConfigurations: result.items.map(ssoConfigurationToProto),
    });
  }

  async updateSSOConfiguration(req: UpdateSSOConfigurationRequest, ctx: HandlerContext): Promise<UpdateSSOConfigurationResponse> {
    const principal = writer(ctx);
    const id = requireUuid("sso_configuration_id", req.ssoConfigurationId);
    await this.sso.update(principal.organizationId, id, ssoUpdatePatch(req), auditContextOf(ctx));
    return create(UpdateSSOConfigurationResponseSchema);
  }

  async deleteSSOConfiguration(req: DeleteSSOConfigurationRequest, ctx: HandlerContext): Promise<DeleteSSOConfigurationResponse> {
    const principal = writer(ctx);
    const id = requireUuid("sso_configuration_id", req.ssoConfigurationId);
    await this.sso.delete(principal.organizationId, id, auditContextOf(ctx));
    return create(DeleteSSOConfigurationResponseSchema);
  }

  // SCIM configurations

  async createSCIMConfiguration(req: CreateSCIMConfigurationRequest, ctx: HandlerContext): Promise<CreateSCIMConfigurationResponse> {
    const principal = writer(ctx);
    const organizationId = requireUuid("organization_id", req.organizationId);
    const ssoConfigurationId = requireUuid("sso_configuration_id", req.ssoConfigurationId);
    const name = optionalText("name", req.name ?? "", NAME_MAX_LENGTH);
    const lifetime = tokenLifetimeSeconds("token_expires_in", req.tokenExpiresIn, DEFAULT_TOKEN_LIFETIME_SECONDS);
    requireOwnOrganization(principal, organizationId);
    const created = await this.scim.create({
      organizationId,
      name,
      ssoConfigurationId,
      tokenLifetimeSeconds: lifetime,
      allowUnverifiedEmailAccountLinking: req.allowUnverifiedEmailAccountLinking ?? false,
    }, auditContextOf(ctx));
    noStore(ctx);
    return create(CreateSCIMConfigurationResponseSchema, {
      scimConfiguration: scimConfigurationToProto(created.configuration),
      token: created.token,
      tokenExpiresAt: timestampFromDate(created.tokenExpiresAt),
    });
  }

  async getSCIMConfiguration(req: GetSCIMConfigurationRequest, ctx: HandlerContext): Promise<GetSCIMConfigurationResponse> {
    const principal = principalOf(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const record = await this.scim.get(principal.organizationId, id);
    return create(GetSCIMConfigurationResponseSchema, { scimConfiguration: scimConfigurationToProto(record) });
  }

  async listSCIMConfigurations(req: ListSCIMConfigurationsRequest, ctx: HandlerContext): Promise<ListSCIMConfigurationsResponse> {
    const principal = principalOf(ctx);
    const page = parsePageRequest(req.pagination ?? {}, queryPageParams(ctx));
    const result = await this.scim.list(principal.organizationId, page);
    return create(ListSCIMConfigurationsResponseSchema, {
      pagination: create(PaginationResponseSchema, { nextToken: result.nextToken }),
      scimConfigurations: result.items.map(scimConfigurationToProto),
    });
  }

  async updateSCIMConfiguration(req: UpdateSCIMConfigurationRequest, ctx: HandlerContext): Promise<UpdateSCIMConfigurationResponse> {
    const principal = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const patch = {
      name: req.name === undefined ? undefined : optionalText("name", req.name, NAME_MAX_LENGTH),
      enabled: req.enabled,
      ssoConfigurationId: optionalUuid("sso_configuration_id", req.ssoConfigurationId),
      allowUnverifiedEmailAccountLinking: req.allowUnverifiedEmailAccountLinking,
    };
    const record = await this.scim.update(principal.organizationId, id, patch, auditContextOf(ctx));
    return create(UpdateSCIMConfigurationResponseSchema, { scimConfiguration: scimConfigurationToProto(record) });
  }

  async deleteSCIMConfiguration(req: DeleteSCIMConfigurationRequest, ctx: HandlerContext): Promise<DeleteSCIMConfigurationResponse> {
    const principal = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    await this.scim.delete(principal.organizationId, id, auditContextOf(ctx));
    return create(DeleteSCIMConfigurationResponseSchema);
  }

  async regenerateSCIMToken(req: RegenerateSCIMTokenRequest, ctx: HandlerContext): Promise<RegenerateSCIMTokenResponse> {
    const principal = writer(ctx);
    const id = requireUuid("scim_configuration_id", req.scimConfigurationId);
    const lifetime = req.tokenExpiresIn === undefined ? undefined : tokenLifetimeSeconds("token_expires_in", req.tokenExpiresIn, 0);
    const issued = await this.scim.regenerateToken(principal.organizationId, id, lifetime, auditContextOf(ctx));
    noStore(ctx);
    return create(RegenerateSCIMTokenResponseSchema, {
      token: issued.token,
      tokenExpiresAt: timestampFromDate(issued.tokenExpiresAt),
    });
  }
}


