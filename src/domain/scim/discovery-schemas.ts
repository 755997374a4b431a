/**
 * The schemas of the discovery documents themselves (RFC 7643 §5-7, §8.7.2), listed by /Schemas
 * after the resource schemas. Everything in them is server-defined: readOnly. The
 * ServiceProviderConfig schema carries draft-ietf-scim-cursor-pagination §4's `pagination`.
 */
import { attr, complex, SCIM_URN, type AttributeDef, type AttributeType, type SchemaDef } from "./attribute-def.js";

const ro = (name: string, type: AttributeType, description: string, more: Partial<AttributeDef> = {}): AttributeDef => attr(name, type, description, { mutability: "readOnly", ...more });

const feature = (name: string, description: string, extra: AttributeDef[] = []): AttributeDef =>
  complex(name, description, [ro("supported", "boolean", `Whether ${name} is supported.`, { required: true }), ...extra], { mutability: "readOnly", required: true });

const SERVICE_PROVIDER_CONFIG: SchemaDef = {
  id: SCIM_URN.serviceProviderConfig,
  name: "Service Provider Configuration",
  description: "Schema for representing the service provider's configuration",
  attributes: [
    ro("documentationUri", "reference", "An HTTP-addressable URL pointing to the service provider's help documentation.", { referenceTypes: ["external"] }),
    feature("patch", "PATCH configuration options."),
    feature("bulk", "Bulk configuration options.", [
      ro("maxOperations", "integer", "The maximum number of operations in one bulk request.", { required: true }),
      ro("maxPayloadSize", "integer", "The maximum payload size of one bulk request, in bytes.", { required: true }),
    ]),
    feature("filter", "FILTER options.", [ro("maxResults", "integer", "The maximum number of resources returned in a response.", { required: true })]),
    feature("changePassword", "Change password options."),
    feature("sort", "Sort options."),
    feature("etag", "ETag options."),
    complex(
      "pagination",
      "Pagination options (draft-ietf-scim-cursor-pagination).",
      [
        ro("cursor", "boolean", "Whether cursor-based pagination is supported.", { required: true }),
        ro("index", "boolean", "Whether index-based pagination is supported.", { required: true }),
        ro("defaultPaginationMethod", "string", "The pagination method used when a request names none.", { canonicalValues: ["cursor", "index"] }),
        ro("defaultPageSize", "integer", "The number of results in a page when a request gives no count."),
        ro("maxPageSize", "integer", "The maximum number of results in a page, whatever count a request gives."),
        ro("cursorTimeout", "integer", "The minimum number of seconds a cursor stays valid between page requests."),
      ],
      { mutability: "readOnly" },
    ),
    complex(
      "authenticationSchemes",
      "Supported authentication scheme properties.",
      [
        ro("type", "string", "The authentication scheme, e.g. 'oauthbearertoken'.", { required: true }),
        ro("name", "string", "The common authentication scheme name.", { required: true }),
        ro("description", "string", "A description of the authentication scheme.", { required: true }),
        ro("specUri", "reference", "An HTTP-addressable URL pointing to the authentication scheme's specification.", { referenceTypes: ["external"] }),
        ro("documentationUri", "reference", "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.", { referenceTypes: ["external"] }),
        ro("primary", "boolean", "Whether this is the preferred authentication scheme."),
      ],
      { mutability: "readOnly", multiValued: true, required: true },
    ),
  ],
};

const RESOURCE_TYPE: SchemaDef = {
  id: SCIM_URN.resourceType,
  name: "ResourceType",
  description: "Specifies the schema that describes a SCIM resource type",
  attributes: [
    ro("id", "string", "The resource type's server unique id; the same as the 'name' attribute."),
    ro("name", "string", "The resource type name.", { required: true }),
    ro("description", "string", "The resource type's human-readable description."),
    ro("endpoint", "reference", "The resource type's HTTP-addressable endpoint relative to the base URL, e.g. '/Users'.", { required: true, referenceTypes: ["uri"] }),
    ro("schema", "reference", "The resource type's primary/base schema URI.", { required: true, caseExact: true, referenceTypes: ["uri"] }),
    complex(
      "schemaExtensions",
      "A list of URIs of the resource type's schema extensions.",
      [
        ro("schema", "reference", "The URI of a schema extension.", { required: true, caseExact: true, referenceTypes: ["uri"] }),
        ro("required", "boolean", "Whether resources of this type must include the schema extension.", { required: true }),
      ],
      { mutability: "readOnly", multiValued: true },
    ),
  ],
};

const ATTRIBUTE_CHARACTERISTICS: AttributeDef[] = [
  ro("name", "string", "The attribute's name.", { required: true, caseExact: true }),
  ro("type", "string", "The attribute's data type.", { required: true, canonicalValues: ["string", "complex", "boolean", "decimal", "integer", "dateTime", "reference", "binary"] }),
  ro("multiValued", "boolean", "Whether the attribute is multi-valued.", { required: true }),
  ro("description", "string", "A human-readable description of the attribute."),
  ro("required", "boolean", "Whether the attribute is required."),
  ro("canonicalValues", "string", "A collection of suggested canonical values.", { multiValued: true, caseExact: true }),
  ro("caseExact", "boolean", "Whether a string attribute is case sensitive."),
  ro("mutability", "string", "Whether the attribute is modifiable.", { canonicalValues: ["readOnly", "readWrite", "immutable", "writeOnly"] }),
  ro("returned", "string", "When the attribute is returned in a response.", { canonicalValues: ["always", "never", "default", "request"] }),
  ro("uniqueness", "string", "How the service provider enforces uniqueness of values.", { canonicalValues: ["none", "server", "global"] }),
  ro("referenceTypes", "string", "The names of the resource types that may be referenced.", { multiValued: true, caseExact: true }),
];

const SCHEMA: SchemaDef = {
  id: SCIM_URN.schema,
  name: "Schema",
  description: "Specifies the schema attribute definitions",
  attributes: [
    ro("id", "reference", "The unique URI of the schema.", { required: true, caseExact: true }),
    ro("name", "string", "The schema's human-readable name."),
    ro("description", "string", "The schema's human-readable description."),
    complex(
      "attributes",
      "A complex attribute that includes the attributes of a schema.",
      [...ATTRIBUTE_CHARACTERISTICS, complex("subAttributes", "Used to define the sub-attributes of a complex attribute.", ATTRIBUTE_CHARACTERISTICS, { mutability: "readOnly", multiValued: true })],
      { mutability: "readOnly", multiValued: true, required: true },
    ),
  ],
};

export const DISCOVERY_SCHEMAS: readonly SchemaDef[] = [SERVICE_PROVIDER_CONFIG, RESOURCE_TYPE, SCHEMA];
