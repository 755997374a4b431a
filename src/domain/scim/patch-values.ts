/**
 * Value steps of the PATCH engine (RFC 7644 §3.5.2) that need no knowledge of where a value is
 * stored: appending to a multi-valued attribute, merging into a complex one, the immutable rule.
 */
import { checkValueCount, isObject, readSingleValue, sameValue, settlePrimary } from "./attribute-values.js";
import { bareIdAsValueObject, isEmptyManagerReference, managerFromArray } from "./idp-value-forms.js";
import { badRequest } from "./scim-error.js";
import { findAttribute, type AttributeDef } from "./schema.js";

/** Appends the values not already present; a value equal to a present one (`primary` aside) only passes its primary mark on. */
export function appendValues(existing: unknown[], values: unknown[], path: string): unknown[] {
  let touched: unknown;
  for (const value of values) {
    const same = existing.find((e) => sameValue(withoutPrimary(e), withoutPrimary(value)));
    if (same === undefined) {
      existing.push(value);
      touched = value;
      checkValueCount(existing, path);
    } else if (isObject(same) && isObject(value) && value["primary"] === true) {
      same["primary"] = true;
      touched = same;
    }
  }
  settlePrimary(existing, touched);
  return existing;
}

const withoutPrimary = (value: unknown): unknown => {
  if (!isObject(value) || !("primary" in value)) return value;
  const { primary: _, ...rest } = value;
  return rest;
};

/** A complex value merged into `before`: given sub-attributes replace, null ones are unassigned, others are kept (§3.5.2.3). */
export function mergeComplex(def: AttributeDef, before: Record<string, unknown> | undefined, given: unknown, path: string): Record<string, unknown> | undefined {
  const raw = managerFromArray(def, given);
  if (raw === null) return undefined;
  const object = isObject(raw) ? raw : bareIdAsValueObject(def, raw);
  if (!object) throw badRequest("invalidValue", `${path} must be an object with the sub-attributes of ${def.name}`);
  const merged: Record<string, unknown> = { ...before };
  for (const [key, v] of Object.entries(object)) {
    const sub = findAttribute(def.subAttributes, key);
    if (!sub || sub.mutability === "readOnly" || sub.name === "$ref") continue;
    const read = readSingleValue(sub, v, `${path}.${sub.name}`, def);
    checkImmutable(sub, merged[sub.name], read, `${path}.${sub.name}`);
    if (read === undefined) delete merged[sub.name];
    else merged[sub.name] = read;
  }
  return Object.keys(merged).length > 0 && !isEmptyManagerReference(def, merged) ? merged : undefined;
}

export function checkImmutable(def: AttributeDef, before: unknown, after: unknown, path: string): void {
  if (def.mutability === "immutable" && before !== undefined && !sameValue(before, after)) {
    throw badRequest("mutability", `${path} is immutable: it cannot be changed once set`);
  }
}
