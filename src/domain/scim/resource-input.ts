/**
 * A POST or PUT body for a User or a Group (RFC 7644 §3.3, §3.5.1) → the stored attribute form
 * (scim-record.ts), the password apart (the caller hashes it) and a Group's member ids apart (they
 * are membership records). Pure: no I/O.
 *
 * - Attribute names match case-insensitively (RFC 7643 §2.1); core attributes may be
 *   URN-qualified (`"urn:ietf:params:scim:schemas:core:2.0:User:userName"`); an extension's are
 *   read from its URN-keyed object (or URN-qualified top-level keys) and stored under its
 *   storageKey. When one attribute is given twice (`userName` and `USERNAME`), the last one wins.
 * - Attributes no published schema defines are ignored, neither stored nor an error (scim.md:
 *   Microsoft's test collection sends misspelled ones and expects 200); so are keys naming a
 *   sub-attribute (`"name.givenName"` at the top level of a body).
 * - Read-only attributes (`id`, `meta`, `groups`, `members.display`, `manager.displayName`) are
 *   ignored, as RFC 7644 §3.5.1 says for PUT.
 * - `schemas` may be omitted or list any URNs (Entra's Group body lists a Microsoft URN of its own),
 *   but naming another resource type's core schema or one of RFC 7644's message schemas
 *   (`...:api:messages:2.0:PatchOp`) is 400 invalidSyntax: the body was sent to the wrong endpoint
 *   or with the wrong method.
 */
import { checkString, isObject, readAttributeValue } from "./attribute-values.js";
import { badRequest } from "./scim-error.js";
import { findAttribute, RESOURCE_TYPES, resolveAttribute, SCIM_URN, type AttributeDef, type ResourceTypeDef, type SchemaDef } from "./schema.js";
import type { ScimAttributes } from "./scim-record.js";

export interface ResourceInput {
  /** The stored form of every assigned, writable attribute of the body. */
  attributes: ScimAttributes;
  /** The cleartext password, when the body carried one: hash it, never store it as is. */
  password?: string;
  /** A Group's member ids (deduplicated, in request order) when the body had `members`; undefined when it had none. */
  members?: string[];
}

/** POST: the body as a new resource. */
export function readResourceInput(resource: ResourceTypeDef, body: unknown): ResourceInput {
  if (!isObject(body)) throw badRequest("invalidSyntax", `The request body must be a JSON object (a SCIM ${resource.name} resource)`);
  const input: ResourceInput = { attributes: {} };
  for (const [key, raw] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === "schemas") {
      checkSchemas(resource, raw);
      continue;
    }
    const extension = resource.extensions.find((e) => e.schema.id.toLowerCase() === lower)?.schema;
    if (extension) {
      readExtensionObject(resource, extension, raw, input);
      continue;
    }
    const resolved = resolveAttribute(resource, key);
    if (resolved && !resolved.sub) readAttribute(resource, resolved.schema, resolved.attribute, raw, resolved.scimPath, input);
  }
  checkRequired(resource, input.attributes);
  return input;
}

/**
 * PUT (RFC 7644 §3.5.1): the body replaces every writable attribute, except that an omitted
 * `active` keeps its current value (scim.md: identity providers send partial PUTs, and a User must
 * not be suspended by omission) and an omitted password stays as it is (`password` undefined).
 * An immutable attribute that already has a value must keep it (400 mutability).
 */
export function readReplacementInput(resource: ResourceTypeDef, body: unknown, current: ScimAttributes): ResourceInput {
  const input = readResourceInput(resource, body);
  if (resource.id === "User" && input.attributes["active"] === undefined && current["active"] !== undefined) {
    input.attributes["active"] = current["active"];
  }
  for (const schema of [resource.schema, ...resource.extensions.map((e) => e.schema)]) {
    for (const def of schema.attributes) {
      if (def.mutability !== "immutable") continue;
      const before = storedValue(current, schema, def);
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(storedValue(input.attributes, schema, def))) {
        throw badRequest("mutability", `${def.name} is immutable: it cannot be changed once set`);
      }
    }
  }
  return input;
}

/**
 * Re-reads stored attributes with the rules above and returns their normalized form; throws the
 * ScimError a body with these attributes would get. The PATCH engine checks its result with it.
 */
export function validateStoredAttributes(resource: ResourceTypeDef, attributes: ScimAttributes): ScimAttributes {
  return readResourceInput(resource, storedToBody(resource, attributes)).attributes;
}

/** The SCIM body form of stored attributes: an extension's attributes under its URN key. */
export function storedToBody(resource: ResourceTypeDef, attributes: ScimAttributes): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const def of resource.schema.attributes) if (attributes[def.name] !== undefined) body[def.name] = attributes[def.name];
  if (attributes["externalId"] !== undefined) body["externalId"] = attributes["externalId"];
  for (const { schema } of resource.extensions) {
    const stored = schema.storageKey ? attributes[schema.storageKey] : undefined;
    if (stored !== undefined) body[schema.id] = stored;
  }
  return body;
}

function readExtensionObject(resource: ResourceTypeDef, schema: SchemaDef, raw: unknown, input: ResourceInput): void {
  if (raw === null || raw === undefined) return;
  if (!isObject(raw)) throw badRequest("invalidValue", `${schema.id} must be an object holding the extension's attributes`);
  for (const [key, value] of Object.entries(raw)) {
    const def = findAttribute(schema.attributes, key);
    if (def) readAttribute(resource, schema, def, value, `${schema.id}:${def.name}`, input);
  }
}

function readAttribute(resource: ResourceTypeDef, schema: SchemaDef, def: AttributeDef, raw: unknown, path: string, input: ResourceInput): void {
  if (def.mutability === "readOnly") return;
  if (resource.id === "Group" && schema === resource.schema && def.name === "members") {
    input.members = readMemberIds(raw, "members");
    return;
  }
  if (def.mutability === "writeOnly") {
    if (def.name === "password") input.password = readPassword(raw, path);
    return;
  }
  const value = readAttributeValue(def, raw, path);
  const target = schema.storageKey ? extensionTarget(input.attributes, schema.storageKey) : input.attributes;
  if (value === undefined) delete target[def.name];
  else target[def.name] = value;
  if (schema.storageKey && Object.keys(target).length === 0) delete input.attributes[schema.storageKey];
}

function extensionTarget(attributes: ScimAttributes, key: string): Record<string, unknown> {
  const existing = attributes[key];
  if (isObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  attributes[key] = created;
  return created;
}

function readPassword(raw: unknown, path: string): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== "string") throw badRequest("invalidValue", `${path} must be a string`);
  checkString(raw, path);
  return raw;
}

/**
 * Group members: `[{value, display?, type?, $ref?}]` or bare id strings (scim.md), deduplicated in
 * request order. No 100-value limit: members are records of their own. Unknown ids are the
 * caller's business (scim.md: a value that names no User of the configuration is ignored).
 */
export function readMemberIds(raw: unknown, path: string): string[] {
  if (raw === null || raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const ids = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const element = list[i];
    let id: unknown = element;
    if (isObject(element)) {
      const key = Object.keys(element).find((k) => k.toLowerCase() === "value");
      id = key === undefined ? undefined : element[key];
    }
    if (typeof id !== "string" || id === "") throw badRequest("invalidValue", `${path}[${i}].value must be the id of a User (a non-empty string)`);
    checkString(id, `${path}[${i}].value`);
    ids.add(id);
  }
  return [...ids];
}

/**
 * The message schemas RFC 7644 defines (§3.4.3, §3.5.2, §3.7, §3.12). Only these mean "wrong
 * endpoint or method": any other URN is unknown and ignored, including
 * `urn:ietf:params:scim:api:messages:2.0:User`, which RFC 7644's own Bulk example (§3.7.1) puts
 * in a User's schemas by mistake.
 */
const MESSAGE_SCHEMAS = new Set(
  [SCIM_URN.error, SCIM_URN.listResponse, SCIM_URN.patchOp, SCIM_URN.bulkRequest, SCIM_URN.bulkResponse, SCIM_URN.searchRequest].map((u) => u.toLowerCase()),
);

function checkSchemas(resource: ResourceTypeDef, raw: unknown): void {
  if (raw === null || raw === undefined) return;
  if (!Array.isArray(raw) || raw.some((u) => typeof u !== "string")) throw badRequest("invalidSyntax", "schemas must be an array of schema URNs");
  for (const urn of raw as string[]) {
    const lower = urn.toLowerCase();
    const other = RESOURCE_TYPES.find((r) => r !== resource && r.schema.id.toLowerCase() === lower);
    if (other) throw badRequest("invalidSyntax", `schemas names ${other.schema.id}, but ${resource.endpoint} takes ${resource.name} resources (${resource.schema.id})`);
    if (MESSAGE_SCHEMAS.has(lower)) {
      throw badRequest("invalidSyntax", `schemas names the message ${urn}, but ${resource.endpoint} takes a ${resource.name} resource (${resource.schema.id}) here`);
    }
  }
}

function checkRequired(resource: ResourceTypeDef, attributes: ScimAttributes): void {
  for (const def of resource.schema.attributes) {
    if (!def.required) continue;
    const value = attributes[def.name];
    if (value === undefined || value === "") throw badRequest("invalidValue", `${def.name} is required and must not be empty`);
  }
}

function storedValue(attributes: ScimAttributes, schema: SchemaDef, def: AttributeDef): unknown {
  const holder = schema.storageKey ? attributes[schema.storageKey] : attributes;
  return isObject(holder) ? holder[def.name] : undefined;
}
