/**
 * The vocabulary of RFC 7643 §2 and §7: attribute types and characteristics, schema and resource
 * type definitions, the URNs of the SCIM messages, and a small `attr()` builder that fills in the
 * RFC's defaults (§2.2: single-valued, optional, caseExact false, readWrite, returned default,
 * uniqueness none) so the schema data only says where an attribute differs.
 * Re-exported by schema.ts, which is the module everyone imports.
 */
export type AttributeType = "string" | "boolean" | "decimal" | "integer" | "dateTime" | "reference" | "complex" | "binary";
export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";
export type Returned = "always" | "never" | "default" | "request";
export type Uniqueness = "none" | "server" | "global";

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

export interface SchemaDef {
  /** The schema's URN. */
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
  /** Where a record keeps this schema's attributes: undefined = top level (core), "enterprise" for the enterprise extension. */
  storageKey?: string;
}

export interface ResourceTypeDef {
  id: "User" | "Group";
  name: string;
  endpoint: "/Users" | "/Groups";
  description: string;
  schema: SchemaDef;
  extensions: { schema: SchemaDef; required: boolean }[];
}

export const SCIM_URN = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  enterpriseUser: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  bulkRequest: "urn:ietf:params:scim:api:messages:2.0:BulkRequest",
  bulkResponse: "urn:ietf:params:scim:api:messages:2.0:BulkResponse",
  searchRequest: "urn:ietf:params:scim:api:messages:2.0:SearchRequest",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

/** An attribute with RFC 7643 §2.2's defaults, overridden by `more`. */
export function attr(name: string, type: AttributeType, description: string, more: Partial<Omit<AttributeDef, "name" | "type" | "description">> = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...more,
  };
}

/** A complex attribute; its sub-attributes inherit nothing, as in RFC 7643 §8.7.1. */
export function complex(name: string, description: string, subAttributes: AttributeDef[], more: Partial<Omit<AttributeDef, "name" | "type" | "description" | "subAttributes">> = {}): AttributeDef {
  return attr(name, "complex", description, { ...more, subAttributes });
}

/**
 * A multi-valued complex attribute with the sub-attributes RFC 7643 §2.4 defines for every
 * multi-valued attribute (value, display, type, primary), as §4.1.2 lists them for emails,
 * phoneNumbers, ims, photos, entitlements, roles and x509Certificates.
 */
export function plural(
  name: string,
  description: string,
  options: { valueType?: AttributeType; valueDescription: string; canonicalTypes?: string[]; referenceTypes?: string[] },
): AttributeDef {
  const value = attr("value", options.valueType ?? "string", options.valueDescription, options.referenceTypes ? { referenceTypes: options.referenceTypes } : {});
  const type = attr("type", "string", "A label indicating the attribute's function, e.g., 'work' or 'home'.", options.canonicalTypes ? { canonicalValues: options.canonicalTypes } : {});
  return complex(name, description, [value, displaySub(), type, primarySub()], { multiValued: true });
}

export const displaySub = (): AttributeDef => attr("display", "string", "A human-readable name, primarily used for display purposes.");

export const primarySub = (): AttributeDef =>
  attr("primary", "boolean", "Whether this is the 'primary' or preferred value of the attribute; 'true' appears at most once.");
