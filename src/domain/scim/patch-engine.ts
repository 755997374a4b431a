/**
 * RFC 7644 §3.5.2 PATCH as a pure function: the current stored attributes and a list of
 * operations (already through idp-normalization.ts) → the new stored attributes, the password to
 * hash, and a plan of membership changes (patch-members.ts). No I/O: the caller writes the result
 * with one conditional update (version check) and one membership write per member.
 *
 * Semantics, in the RFC's terms:
 * - Operations apply in order; any failure fails the whole request (§3.5.2: atomic), and the
 *   result is re-validated with resource-input's rules (types, limits, required attributes).
 * - add: a multi-valued attribute gets the new values appended (a value equal to one present,
 *   `primary` aside, is not added twice); a complex attribute gets the given sub-attributes
 *   merged; anything else is set. Without path, each attribute of the value object is added so.
 * - replace: as add, except that a multi-valued attribute without a filter is replaced whole and a
 *   filtered element is replaced whole. Without path, each attribute of the value is replaced.
 * - remove: needs a path (400 noTarget); a target that matches nothing is a no-op (identity
 *   providers retry removals); removing a required attribute is 400 mutability (§3.5.2.2).
 * - A value filter that matches nothing is 400 noTarget for add and replace (§3.5.2.3), except
 *   when idp-normalization marked the operation with Entra's type-eq creation rule.
 * - Read-only targets are 400 mutability; so is changing an immutable attribute that has a value.
 *   In a path-less value, read-only attributes are ignored, as in a PUT body (§3.5.1), and so are
 *   attributes no schema defines and keys that are not attribute names (idp-normalization turns
 *   Entra's "name.givenName" keys into path operations first).
 * - add or replace with a null value unassigns the target (RFC 7643 §2.5: null is unassigned).
 */
import { isObject, readAttributeValue, readSingleValue, sameValue, settlePrimary } from "./attribute-values.js";
import { parsePatchPath, type FilterAst } from "./filter.js";
import { isEmptyManagerReference } from "./idp-value-forms.js";
import { applyToMatchingElements, setInElements, type ElementSlot } from "./patch-elements.js";
import { MembershipPlan, planMemberOperation, type MembershipChange } from "./patch-members.js";
import { appendValues, checkImmutable, mergeComplex } from "./patch-values.js";
import { validateStoredAttributes } from "./resource-input.js";
import { ScimError, badRequest } from "./scim-error.js";
import { findAttribute, resolveAttribute, resolveIn, type AttributeDef, type ResolvedAttribute, type ResourceTypeDef, type SchemaDef } from "./schema.js";
import type { ScimAttributes } from "./scim-record.js";
import type { PatchOperation } from "./patch-operation.js";

export type { MembershipChange } from "./patch-members.js";
export type { PatchOperation } from "./patch-operation.js";


export interface PatchResult {
  /** The new stored attributes (validated). */
  attributes: ScimAttributes;
  /** A password the request set: hash it; never store it in the attributes. */
  password?: string;
  /** A Group's membership changes, when any operation named members. */
  members?: MembershipChange;
  /** Whether anything changed: the attributes, the password or the membership (whose effect on existing records the caller knows best). */
  changed: boolean;
}

interface PatchState {
  resource: ResourceTypeDef;
  attributes: ScimAttributes;
  password?: string;
  members: MembershipPlan;
}

export function applyPatch(resource: ResourceTypeDef, current: { attributes: ScimAttributes }, operations: readonly PatchOperation[]): PatchResult {
  const applied = applyOperations(resource, current.attributes, operations);
  const attributes = validateStoredAttributes(resource, applied.attributes);
  const members = applied.members;
  const changed =
    !sameValue(attributes, current.attributes) ||
    applied.password !== undefined ||
    (members !== undefined && (members.removeAll || members.add.length > 0 || members.remove.length > 0));
  return { attributes, ...(applied.password !== undefined ? { password: applied.password } : {}), ...(members ? { members } : {}), changed };
}

/**
 * The operations applied in order, without the final validation (applyPatch adds it). Every step
 * keeps the attributes in the stored form, so validating the result changes nothing unless a rule
 * that spans operations (required attributes, value counts) fails: the property test holds the
 * engine to that.
 */
export function applyOperations(
  resource: ResourceTypeDef,
  attributes: ScimAttributes,
  operations: readonly PatchOperation[],
): { attributes: ScimAttributes; password?: string; members?: MembershipChange } {
  const state: PatchState = { resource, attributes: structuredClone(attributes), members: new MembershipPlan() };
  operations.forEach((operation, i) => inOperation(operation.source ?? i, operation, () => applyOperation(state, operation)));
  const members = state.members.result();
  return { attributes: state.attributes, ...(state.password !== undefined ? { password: state.password } : {}), ...(members ? { members } : {}) };
}

/** Runs `fn`, prefixing a ScimError's detail with the operation it concerns: `Operations[3] (replace "title"): ...`. */
export function inOperation<T>(index: number, operation: { op: string; path?: string }, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ScimError)) throw e;
    const path = operation.path;
    const where = path === undefined ? "without path" : JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
    throw new ScimError(e.status, e.scimType, `Operations[${index}] (${operation.op} ${where}): ${e.detail}`);
  }
}

function applyOperation(state: PatchState, operation: PatchOperation): void {
  const { op, path, value } = operation;
  if (path === undefined) {
    if (op === "remove") throw badRequest("noTarget", "remove needs a path naming what to remove (RFC 7644 §3.5.2.2)");
    if (!isObject(value)) throw badRequest("invalidValue", `${op} without a path needs a value object holding the attributes to ${op}`);
    applyPathless(state, op, value);
    return;
  }
  if (op !== "remove" && value === undefined) throw badRequest("invalidValue", `${op} needs a value`);
  const extension = state.resource.extensions.find((e) => e.schema.id.toLowerCase() === path.toLowerCase())?.schema;
  if (extension) return applyToExtension(state, op, extension, value);
  const parsed = parsePatchPath(state.resource, path);
  const target = parsed.attribute;
  if (isGroupMembers(state.resource, target)) {
    if (target.sub || parsed.subAttribute) throw badRequest("mutability", `members.${(target.sub ?? parsed.subAttribute)!.name} cannot be changed: add or remove members instead`);
    return planMemberOperation(state.members, op, parsed.filter, value);
  }
  const leaf = parsed.subAttribute ?? target.sub ?? target.attribute;
  if (target.attribute.mutability === "readOnly" || leaf.mutability === "readOnly") throw badRequest("mutability", `${target.scimPath} is read-only`);
  if (leaf.name === "$ref") throw badRequest("mutability", `${target.scimPath} is built from ${target.scimPath.replace("$ref", "value")} by the server; change that instead`);
  if (target.attribute.mutability === "writeOnly") return applyToPassword(state, op, target, value);
  if (parsed.filter) return applyToElements(state, operation, target, parsed.filter, parsed.subAttribute);
  if (target.sub) return applyToSubAttribute(state, op, target, target.sub, value);
  applyToAttribute(state, op, target, value);
}

/** A path-less add/replace: each attribute of the value object, as if it were the path. */
function applyPathless(state: PatchState, op: "add" | "replace", value: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(value)) {
    const extension = state.resource.extensions.find((e) => e.schema.id.toLowerCase() === key.toLowerCase())?.schema;
    if (extension) {
      applyToExtension(state, op, extension, v, true);
      continue;
    }
    const target = resolveAttribute(state.resource, key);
    if (!target || target.sub || target.attribute.mutability === "readOnly") continue;
    if (isGroupMembers(state.resource, target)) planMemberOperation(state.members, op, undefined, v ?? []);
    else if (target.attribute.mutability === "writeOnly") applyToPassword(state, op, target, v);
    else applyToAttribute(state, op, target, v);
  }
}

/** The path is an extension's URN: its value object holds the extension's attributes; remove drops them all. */
function applyToExtension(state: PatchState, op: PatchOperation["op"], schema: SchemaDef, value: unknown, pathless = false): void {
  const key = schema.storageKey!;
  if (op === "remove" || value === null) {
    delete state.attributes[key];
    return;
  }
  if (!isObject(value)) throw badRequest("invalidValue", `${schema.id} must be an object holding the extension's attributes`);
  for (const [name, v] of Object.entries(value)) {
    const def = findAttribute(schema.attributes, name);
    if (!def) continue;
    if (def.mutability === "readOnly") {
      if (pathless) continue;
      throw badRequest("mutability", `${schema.id}:${def.name} is read-only`);
    }
    applyToAttribute(state, op, resolveIn(schema, def)!, v);
  }
}

function applyToPassword(state: PatchState, op: PatchOperation["op"], target: ResolvedAttribute, value: unknown): void {
  if (op === "remove" || value === null) throw badRequest("mutability", `${target.scimPath} cannot be removed, only replaced`);
  const read = readSingleValue(target.attribute, value, target.scimPath, undefined);
  if (typeof read === "string") state.password = read;
}

/** A whole top-level attribute (of the core schema or an extension). */
function applyToAttribute(state: PatchState, op: PatchOperation["op"], target: ResolvedAttribute, value: unknown): void {
  const def = target.attribute;
  const holder = holderOf(state, target.schema, op !== "remove");
  const before = holder?.[def.name];
  if (op === "remove" || value === null) {
    if (def.required) throw badRequest("mutability", `${target.scimPath} is required and cannot be removed`);
    if (holder) unassign(state, target.schema, holder, def, before);
    return;
  }
  let after: unknown;
  if (def.multiValued) {
    const values = (readAttributeValue(def, value, target.scimPath) as unknown[] | undefined) ?? [];
    after = op === "replace" ? values : appendValues(Array.isArray(before) ? [...before] : [], values, target.scimPath);
    if ((after as unknown[]).length === 0) after = undefined;
  } else if (def.type === "complex") {
    after = mergeComplex(def, isObject(before) ? before : undefined, value, target.scimPath);
  } else {
    after = readAttributeValue(def, value, target.scimPath);
  }
  checkImmutable(def, before, after, target.scimPath);
  if (after === undefined) unassign(state, target.schema, holder!, def, before);
  else holder![def.name] = after;
}

/** `name.givenName`, `manager.value`, or `emails.type` (every element, no filter). */
function applyToSubAttribute(state: PatchState, op: PatchOperation["op"], target: ResolvedAttribute, sub: AttributeDef, value: unknown): void {
  const def = target.attribute;
  const holder = holderOf(state, target.schema, op !== "remove" && !def.multiValued);
  if (!holder) return;
  if (def.multiValued) {
    const slot = elementSlot(state, target, false)!;
    if (slot.elements.length === 0 && op !== "remove") throw badRequest("noTarget", `${def.name} has no values whose ${sub.name} could be set`);
    setInElements(slot, slot.elements.map((_, i) => i), op, sub, value);
    return;
  }
  const existing = isObject(holder[def.name]) ? { ...(holder[def.name] as Record<string, unknown>) } : {};
  const after = op === "remove" || value === null ? undefined : readSingleValue(sub, value, target.scimPath, def);
  checkImmutable(sub, existing[sub.name], after, target.scimPath);
  if (after === undefined) delete existing[sub.name];
  else existing[sub.name] = after;
  const complete = Object.keys(existing).length > 0 && !isEmptyManagerReference(def, existing) ? existing : undefined;
  if (complete) holder[def.name] = complete;
  else unassign(state, target.schema, holder, def, holder[def.name]);
}

/** `emails[type eq "work"]` or `emails[type eq "work"].value`. */
function applyToElements(state: PatchState, operation: PatchOperation, target: ResolvedAttribute, filter: FilterAst, sub: AttributeDef | undefined): void {
  const slot = elementSlot(state, target, operation.op !== "remove");
  if (slot) applyToMatchingElements(slot, operation, filter, sub);
}

/** The elements of a multi-valued attribute and how to write them back; undefined when its extension holds nothing and `create` is false. */
function elementSlot(state: PatchState, target: ResolvedAttribute, create: boolean): ElementSlot | undefined {
  const holder = holderOf(state, target.schema, create);
  if (!holder) return undefined;
  const def = target.attribute;
  const current = holder[def.name];
  return {
    def,
    scimPath: resolveIn(target.schema, def)!.scimPath,
    elements: Array.isArray(current) ? [...(current as Record<string, unknown>[])] : [],
    store(elements, touched) {
      if (elements.length === 0) return unassign(state, target.schema, holder, def, holder[def.name]);
      settlePrimary(elements, touched);
      holder[def.name] = elements;
    },
  };
}

/** The object holding a schema's attributes (the record, or its extension object), created on demand. */
function holderOf(state: PatchState, schema: SchemaDef, create: boolean): Record<string, unknown> | undefined {
  if (!schema.storageKey) return state.attributes;
  const existing = state.attributes[schema.storageKey];
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const created: Record<string, unknown> = {};
  state.attributes[schema.storageKey] = created;
  return created;
}

function unassign(state: PatchState, schema: SchemaDef, holder: Record<string, unknown>, def: AttributeDef, before: unknown): void {
  checkImmutable(def, before, undefined, def.name);
  delete holder[def.name];
  if (schema.storageKey && Object.keys(holder).length === 0) delete state.attributes[schema.storageKey];
}

function isGroupMembers(resource: ResourceTypeDef, target: ResolvedAttribute): boolean {
  return resource.id === "Group" && target.schema === resource.schema && target.attribute.name === "members";
}
