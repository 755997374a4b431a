/**
 * The one schema module of the SCIM wing (RFC 7643). Discovery documents, request validation,
 * filter and PATCH path resolution, attribute projection and the MongoDB field mapping all read
 * these definitions, so they cannot disagree.
 *
 * Storage layout (see notes on records): core attributes live at the top level of a record's
 * attributes under their canonical names; an extension's under its `storageKey` ("enterprise"),
 * because URNs contain dots, which MongoDB field names must not. `id` and `meta` are in the record
 * envelope; the search form (search-form.ts) puts them at `id` and `meta.created` /
 * `meta.lastModified`, which is why their storage paths below are ["id"] and ["meta", ...].
 */
import { attr, complex, type AttributeDef, type ResourceTypeDef, type SchemaDef } from "./attribute-def.js";
import { GROUP_SCHEMA } from "./group-schema.js";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "./user-schema.js";

export * from "./attribute-def.js";
export { GROUP_SCHEMA } from "./group-schema.js";
export { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "./user-schema.js";

/** Common attributes id, externalId, meta (RFC 7643 §3.1) as AttributeDefs, shared by both resources. */
export const COMMON_ATTRIBUTES: AttributeDef[] = [
  attr("id", "string", "A unique identifier for the resource, assigned by the service provider.", {
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server",
  }),
  attr("externalId", "string", "An identifier for the resource as defined by the provisioning client (case-exact, not unique).", { caseExact: true }),
  complex(
    "meta",
    "Resource metadata.",
    [
      attr("resourceType", "string", "The name of the resource type of the resource.", { caseExact: true, mutability: "readOnly" }),
      attr("created", "dateTime", "The date and time the resource was added to the service provider.", { mutability: "readOnly" }),
      attr("lastModified", "dateTime", "The most recent date and time the resource was modified.", { mutability: "readOnly" }),
      attr("location", "reference", "The URI of the resource being returned.", { caseExact: true, mutability: "readOnly", referenceTypes: ["uri"] }),
      attr("version", "string", "The weak entity tag of the resource; equals the ETag header.", { caseExact: true, mutability: "readOnly" }),
    ],
    { mutability: "readOnly", returned: "always" },
  ),
];

export const USER_RESOURCE: ResourceTypeDef = {
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  schema: USER_SCHEMA,
  extensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
};

export const GROUP_RESOURCE: ResourceTypeDef = {
  id: "Group",
  name: "Group",
  endpoint: "/Groups",
  description: "Group",
  schema: GROUP_SCHEMA,
  extensions: [],
};

export const RESOURCE_TYPES: readonly ResourceTypeDef[] = [USER_RESOURCE, GROUP_RESOURCE];

export interface ResolvedAttribute {
  /** The schema that defines it (the core schema for the common attributes). */
  schema: SchemaDef;
  /** The top-level attribute. */
  attribute: AttributeDef;
  /** The sub-attribute, when the path names one. */
  sub?: AttributeDef;
  /** Path in the stored attributes, e.g. ["name","givenName"], ["enterprise","manager","value"], ["emails","value"]. */
  storagePath: string[];
  /** Canonical SCIM path for messages, e.g. "name.givenName", "urn:...:enterprise:2.0:User:manager.value". */
  scimPath: string;
}

/** The schemas of a resource type: its core schema first, then its extensions. */
export function schemasOf(resource: ResourceTypeDef): SchemaDef[] {
  return [resource.schema, ...resource.extensions.map((e) => e.schema)];
}

/** The attribute named `name` (case-insensitively, RFC 7643 §2.1) in `list`. */
export function findAttribute(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return list?.find((a) => a.name.toLowerCase() === lower);
}

/** The schema whose URN prefixes `path` ("urn:...:User:userName"), and the rest of the path. */
export function splitUrn(resource: ResourceTypeDef, path: string): { schema: SchemaDef; rest: string } | undefined {
  const lower = path.toLowerCase();
  for (const schema of schemasOf(resource)) {
    const prefix = schema.id.toLowerCase() + ":";
    if (lower.startsWith(prefix)) return { schema, rest: path.slice(prefix.length) };
  }
  return undefined;
}

/** The top-level attributes a path inside `schema` may name: the common ones belong to the core schema. */
function attributesOf(resource: ResourceTypeDef, schema: SchemaDef): AttributeDef[] {
  return schema === resource.schema ? [...COMMON_ATTRIBUTES, ...schema.attributes] : schema.attributes;
}

/**
 * Resolves "name.givenName", "NAME.GIVENNAME", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
 * "urn:ietf:params:scim:schemas:core:2.0:User:userName", "meta.lastModified", "id" ... ; undefined when unknown.
 * An unqualified name refers to the core schema (RFC 7644 §3.10), never to an extension.
 */
export function resolveAttribute(resource: ResourceTypeDef, path: string): ResolvedAttribute | undefined {
  const qualified = splitUrn(resource, path);
  const schema = qualified?.schema ?? resource.schema;
  const rest = qualified?.rest ?? path;
  const parts = rest.split(".");
  if (parts.length > 2 || parts.some((p) => p === "")) return undefined;
  const attribute = findAttribute(attributesOf(resource, schema), parts[0]!);
  if (!attribute) return undefined;
  return resolveIn(schema, attribute, parts[1]);
}

/** The resolution of `attribute` (of `schema`) and optionally one of its sub-attributes by name. */
export function resolveIn(schema: SchemaDef, attribute: AttributeDef, subName?: string): ResolvedAttribute | undefined {
  let sub: AttributeDef | undefined;
  if (subName !== undefined) {
    sub = findAttribute(attribute.subAttributes, subName);
    if (!sub) return undefined;
  }
  const storagePath = [...(schema.storageKey ? [schema.storageKey] : []), attribute.name, ...(sub ? [sub.name] : [])];
  const local = sub ? `${attribute.name}.${sub.name}` : attribute.name;
  const scimPath = schema.storageKey ? `${schema.id}:${local}` : local;
  return sub ? { schema, attribute, sub, storagePath, scimPath } : { schema, attribute, storagePath, scimPath };
}

/** The definition a resolved path ends at: the sub-attribute if any, else the attribute. */
export const leafOf = (resolved: ResolvedAttribute): AttributeDef => resolved.sub ?? resolved.attribute;

