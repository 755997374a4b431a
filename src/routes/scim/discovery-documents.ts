/**
 * The SCIM 2.0 discovery documents (RFC 7643 §5-7), describing what this server supports today:
 * bearer-token authentication and the discovery endpoints themselves. No resource types (Users,
 * Groups) are served yet, so none are advertised, and every optional feature says false.
 */

export const SCHEMA = {
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
} as const;

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SCHEMA.serviceProviderConfig],
    patch: { supported: false },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: false, maxResults: 0 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "The SCIM token issued by CreateSCIMConfiguration or RegenerateSCIMToken, sent as Authorization: Bearer <token>.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/scim/v2/ServiceProviderConfig` },
  };
}

export function listResponse(resources: unknown[]) {
  return { schemas: [SCHEMA.listResponse], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources };
}

type AttributeType = "string" | "boolean" | "integer" | "complex" | "reference";

interface Attribute {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: "readOnly";
  returned: "default";
  uniqueness: "none" | "server";
  subAttributes?: Attribute[];
  referenceTypes?: string[];
}

/** All discovery attributes are server-defined, so readOnly and returned by default. */
function attr(name: string, type: AttributeType, description: string, more: Partial<Attribute> = {}): Attribute {
  return { name, type, multiValued: false, description, required: false, caseExact: false, mutability: "readOnly", returned: "default", uniqueness: "none", ...more };
}

const supported = (name: string, description: string, extra: Attribute[] = []) =>
  attr(name, "complex", description, { required: true, subAttributes: [attr("supported", "boolean", `Whether ${name} is supported.`, { required: true }), ...extra] });

const SCHEMAS = [
  {
    id: SCHEMA.serviceProviderConfig,
    name: "Service Provider Configuration",
    description: "Schema for representing the service provider's configuration",
    attributes: [
      attr("documentationUri", "reference", "An HTTP-addressable URL pointing to the service provider's help documentation.", { referenceTypes: ["external"] }),
      supported("patch", "PATCH configuration options."),
      supported("bulk", "Bulk configuration options.", [
        attr("maxOperations", "integer", "The maximum number of operations.", { required: true }),
        attr("maxPayloadSize", "integer", "The maximum payload size in bytes.", { required: true }),
      ]),
      supported("filter", "FILTER options.", [attr("maxResults", "integer", "The maximum number of resources returned in a response.", { required: true })]),
      supported("changePassword", "Change password options."),
      supported("sort", "Sort options."),
      supported("etag", "ETag options."),
      attr("authenticationSchemes", "complex", "Supported authentication scheme properties.", {
        multiValued: true,
        required: true,
        subAttributes: [
          attr("type", "string", "The authentication scheme.", { required: true }),
          attr("name", "string", "The common authentication scheme name.", { required: true }),
          attr("description", "string", "A description of the authentication scheme.", { required: true }),
          attr("primary", "boolean", "Whether this is the preferred authentication scheme."),
        ],
      }),
    ],
  },
  {
    id: SCHEMA.resourceType,
    name: "ResourceType",
    description: "Specifies the schema that describes a SCIM resource type",
    attributes: [
      attr("id", "string", "The resource type's server unique id."),
      attr("name", "string", "The resource type name.", { required: true }),
      attr("description", "string", "The resource type's human-readable description."),
      attr("endpoint", "reference", "The resource type's HTTP-addressable endpoint.", { required: true, referenceTypes: ["uri"] }),
      attr("schema", "reference", "The resource type's primary/base schema URI.", { required: true, caseExact: true, referenceTypes: ["uri"] }),
      attr("schemaExtensions", "complex", "A list of URIs of the resource type's schema extensions.", {
        multiValued: true,
        subAttributes: [
          attr("schema", "reference", "The URI of a schema extension.", { required: true, caseExact: true, referenceTypes: ["uri"] }),
          attr("required", "boolean", "Whether the schema extension is required.", { required: true }),
        ],
      }),
    ],
  },
  {
    id: SCHEMA.schema,
    name: "Schema",
    description: "Specifies the schema attribute definitions",
    attributes: [
      attr("id", "string", "The unique URI of the schema.", { required: true, caseExact: true }),
      attr("name", "string", "The schema's human-readable name."),
      attr("description", "string", "The schema's human-readable description."),
      attr("attributes", "complex", "A complex attribute that includes the attributes of a schema.", { multiValued: true, required: true }),
    ],
  },
];

export function schemas(baseUrl: string) {
  return SCHEMAS.map((s) => ({ schemas: [SCHEMA.schema], ...s, meta: { resourceType: "Schema", location: `${baseUrl}/scim/v2/Schemas/${s.id}` } }));
}
