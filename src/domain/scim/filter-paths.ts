/**
 * Which attribute a path in a filter names, and whether it can be filtered on at all. Filters
 * run against the search form (search-form.ts), which holds the stored attributes, `id`,
 * `meta.created`, `meta.lastModified` and `schemas`. What is not in it is refused with a reason
 * rather than silently matching nothing: the computed `groups` / `members` (memberships are
 * records of their own), `$ref` (built from the base URL at render time), `password` (never
 * stored in the clear), and the rendered-only meta fields.
 */
import { SyntaxProblem } from "./filter-lexer.js";
import { attr, resolveAttribute, resolveIn, SCIM_URN, type AttributeDef, type ResolvedAttribute, type ResourceTypeDef } from "./schema.js";

/**
 * `schemas` is no schema attribute (RFC 7643 §3), yet RFC 7644 §3.4.2.2 filters on it
 * (`schemas eq "urn:...:enterprise:2.0:User"`): a User's schemas are its core schema and each
 * extension it has values for. URIs compare case-insensitively.
 */
export const SCHEMAS_ATTRIBUTE = attr("schemas", "reference", "The schema URIs of the resource.", { multiValued: true, mutability: "readOnly", returned: "always" });

/** The `schemas` pseudo-attribute of a resource type, resolved like any other path. */
export function schemasPath(resource: ResourceTypeDef): ResolvedAttribute {
  return { schema: resource.schema, attribute: SCHEMAS_ATTRIBUTE, storagePath: ["schemas"], scimPath: "schemas" };
}

/** Resolves a top-level path of a filter or PATCH path; throws naming the path when nothing defines it. */
export function resolveTopLevel(resource: ResourceTypeDef, text: string, position: number, allowSchemas: boolean): ResolvedAttribute {
  const resolved = resolveAttribute(resource, text);
  if (resolved) return resolved;
  const lower = text.toLowerCase();
  if (allowSchemas && (lower === "schemas" || lower === `${resource.schema.id.toLowerCase()}:schemas`)) return schemasPath(resource);
  const extensionHint = resource.extensions.length
    ? `; an extension's attributes are URN-qualified, e.g. '${resource.extensions[0]!.schema.id}:${resource.extensions[0]!.schema.attributes[0]!.name}'`
    : "";
  throw new SyntaxProblem(position, `unknown attribute '${text}': the ${resource.name} schema defines no such attribute (sub-attributes are written 'name.familyName'${extensionHint})`);
}

/** Resolves a sub-attribute name inside a value path (`emails[type eq "work"]`: `type` of `emails`). */
export function resolveInside(parent: ResolvedAttribute, text: string, position: number): ResolvedAttribute {
  const resolved = text.includes(".") || text.includes(":") ? undefined : resolveIn(parent.schema, parent.attribute, text);
  if (resolved) return resolved;
  const names = (parent.attribute.subAttributes ?? []).map((s) => s.name).join(", ");
  throw new SyntaxProblem(position, `unknown sub-attribute '${text}' of ${parent.scimPath}: inside ${parent.scimPath}[...] name one of its sub-attributes (${names})`);
}

const COMPUTED: Record<string, string> = {
  [`${SCIM_URN.user}/groups`]: "groups is computed from Group memberships and cannot be filtered on",
  [`${SCIM_URN.group}/members`]: "members are kept as membership records apart from the Group and cannot be filtered on",
};

/** Whether `def` is one of the attributes computed from membership records (a User's groups, a Group's members). */
export function isComputed(resource: ResourceTypeDef, def: AttributeDef): boolean {
  return resource.schema.attributes.includes(def) && COMPUTED[`${resource.schema.id}/${def.name}`] !== undefined;
}

/** Why `path` cannot be used in a filter, or undefined when it can. */
export function unfilterableReason(path: ResolvedAttribute): string | undefined {
  const computed = COMPUTED[`${path.schema.id}/${path.attribute.name}`];
  if (computed) return computed;
  if (path.attribute.returned === "never" || path.sub?.returned === "never") return `${path.scimPath} is write-only and cannot be filtered on`;
  if (path.sub?.name === "$ref") return `${path.scimPath} is built from the service's URL when a resource is rendered and cannot be filtered on; filter on ${path.scimPath.replace("$ref", "value")} instead`;
  if (path.storagePath[0] === "meta") {
    if (!path.sub) return "meta is complex: filter on meta.created or meta.lastModified";
    if (path.sub.name !== "created" && path.sub.name !== "lastModified") return `${path.scimPath} cannot be filtered on: only meta.created and meta.lastModified can`;
  }
  return undefined;
}
