/**
 * The SCIM discovery documents (RFC 7643 §5-7, RFC 7644 §4), rendered from schema.ts so they
 * describe exactly the attributes the service validates, filters and projects:
 * `/ServiceProviderConfig` (with the `pagination` attribute of draft-ietf-scim-cursor-pagination
 * §4), `/ResourceTypes` (User with the optional enterprise extension, Group) and `/Schemas` (the
 * resource schemas, then the schemas of the discovery documents themselves, as RFC 7643 §8.7.2).
 */
import { DISCOVERY_SCHEMAS } from "./discovery-schemas.js";
import { RESOURCE_TYPES, SCIM_URN, schemasOf, type AttributeDef, type ResourceTypeDef, type SchemaDef } from "./schema.js";

export interface ScimLimits {
  /** Most operations in one POST /Bulk (RFC 7644 §3.7.4). */
  bulkMaxOperations: number;
  /** Largest request body of a POST /Bulk, in bytes. */
  bulkMaxPayloadSize: number;
  /** Most resources one query returns (filter.maxResults; also the largest `count`). */
  maxResults: number;
  /** Page size when a list request gives no `count`. */
  defaultPageSize: number;
  /** Largest page; a larger `count` is clamped to it. */
  maxPageSize: number;
}

export const DEFAULT_SCIM_LIMITS: ScimLimits = {
  bulkMaxOperations: 1000,
  bulkMaxPayloadSize: 1_048_576,
  maxResults: 1000,
  defaultPageSize: 100,
  maxPageSize: 1000,
};

/** `<base>/scim/v2`, whatever trailing slashes the base URL came with. */
export function scimRoot(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/scim/v2`;
}

export function serviceProviderConfig(baseUrl: string, limits: ScimLimits = DEFAULT_SCIM_LIMITS) {
  return {
    schemas: [SCIM_URN.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: true, maxOperations: limits.bulkMaxOperations, maxPayloadSize: limits.bulkMaxPayloadSize },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    // No cursorTimeout: cursors are keyset positions kept by the client, not server-side state, so
    // they do not expire (the draft reads an absent value as "no timeout").
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: "index",
      defaultPageSize: limits.defaultPageSize,
      maxPageSize: limits.maxPageSize,
    },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "The SCIM token issued by CreateSCIMConfiguration, RegenerateSCIMToken or RotateSCIMToken, sent as Authorization: Bearer <token>.",
        primary: true,
      },
      {
        type: "oauth2",
        name: "OAuth 2.0 client credentials",
        description:
          "A client secret of the SCIM configuration (client id: the configuration's id) exchanged at POST /oauth2/token with grant_type=client_credentials for a short-lived access token, sent as Authorization: Bearer <access token>.",
        specUri: "https://www.rfc-editor.org/rfc/rfc6749#section-4.4",
        primary: false,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${scimRoot(baseUrl)}/ServiceProviderConfig` },
  };
}

export function resourceTypeDocument(baseUrl: string, resource: ResourceTypeDef) {
  return {
    schemas: [SCIM_URN.resourceType],
    id: resource.id,
    name: resource.name,
    endpoint: resource.endpoint,
    description: resource.description,
    schema: resource.schema.id,
    ...(resource.extensions.length > 0 ? { schemaExtensions: resource.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) } : {}),
    meta: { resourceType: "ResourceType", location: `${scimRoot(baseUrl)}/ResourceTypes/${resource.id}` },
  };
}

export function resourceTypeDocuments(baseUrl: string) {
  return RESOURCE_TYPES.map((r) => resourceTypeDocument(baseUrl, r));
}

/** An attribute definition as RFC 7643 §7 writes it. */
function attributeDocument(def: AttributeDef): Record<string, unknown> {
  return {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required,
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
    ...(def.canonicalValues ? { canonicalValues: def.canonicalValues } : {}),
    ...(def.referenceTypes ? { referenceTypes: def.referenceTypes } : {}),
    ...(def.subAttributes ? { subAttributes: def.subAttributes.map(attributeDocument) } : {}),
  };
}

export function schemaDocument(baseUrl: string, schema: SchemaDef) {
  return {
    schemas: [SCIM_URN.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: "Schema", location: `${scimRoot(baseUrl)}/Schemas/${schema.id}` },
  };
}

/** Every schema /Schemas lists: User, Enterprise User, Group, then ServiceProviderConfig, ResourceType, Schema. */
export function allSchemas(): SchemaDef[] {
  const resourceSchemas = RESOURCE_TYPES.flatMap(schemasOf);
  return [...new Set(resourceSchemas), ...DISCOVERY_SCHEMAS];
}

export function schemaDocuments(baseUrl: string) {
  return allSchemas().map((s) => schemaDocument(baseUrl, s));
}

/** GET /Schemas/{id}: the schema whose URN is `id` (case-insensitively), or undefined (404). */
export function findSchemaDocument(baseUrl: string, id: string) {
  const schema = allSchemas().find((s) => s.id.toLowerCase() === id.toLowerCase());
  return schema && schemaDocument(baseUrl, schema);
}

/** GET /ResourceTypes/{id}: "User" or "Group" (case-insensitively), or undefined (404). */
export function findResourceTypeDocument(baseUrl: string, id: string) {
  const resource = RESOURCE_TYPES.find((r) => r.id.toLowerCase() === id.toLowerCase());
  return resource && resourceTypeDocument(baseUrl, resource);
}

/** The ListResponse (RFC 7644 §3.4.2) of a discovery endpoint: everything on one page. */
export function discoveryListResponse(resources: unknown[]) {
  return { schemas: [SCIM_URN.listResponse], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources };
}
