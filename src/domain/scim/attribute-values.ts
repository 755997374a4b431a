/**
 * Reading one attribute value of a request against its schema definition (RFC 7643 §2.3 data
 * types, §2.4 multi-valued attributes) into the stored form. POST/PUT bodies (resource-input.ts)
 * and PATCH values (patch-engine.ts) both come through here, so a value the one accepts the other
 * accepts too, with the same limits.
 *
 * Rules, where the RFCs leave the choice to the server:
 * - Values are stored exactly as sent (no trimming or reformatting of locale, phone numbers, dates).
 * - `null`, an empty array and a complex value left without sub-attributes mean "unassigned"
 *   (RFC 7643 §2.5): the attribute is not stored. An empty string is a value and is kept.
 * - Sub-attributes no schema defines are ignored, as are read-only ones (`manager.displayName`,
 *   `members.display`) and `$ref` (built from the base URL when rendering, never stored).
 * - A multi-valued attribute given one value instead of an array is read as a one-value array.
 * - Strings: at most 1,024 Unicode code points (x509Certificates.value: 16,384); no C0 control
 *   character except tab, line feed and carriage return (RFC 7644 §3.5.2.3's own example address
 *   has a line break), and no unpaired UTF-16 surrogate (MongoDB stores UTF-8 and would replace it).
 * - At most 100 values in a multi-valued attribute (Group members are not attributes: no limit).
 * - At most one value marked `primary: true` (RFC 7643 §2.4): when several are, the last one keeps
 *   it and the others are set to false (RFC 7644 §3.5.2 lets the server do so for PATCH).
 */
import { bareIdAsValueObject, isEmptyManagerReference, managerFromArray, readBooleanString } from "./idp-value-forms.js";
import { badRequest, type ScimError } from "./scim-error.js";
import { findAttribute, type AttributeDef } from "./schema.js";
import { parseDateTime } from "./values.js";

export const MAX_STRING_CODE_POINTS = 1024;
export const MAX_CERTIFICATE_CODE_POINTS = 16_384;
export const MAX_MULTI_VALUES = 100;

const invalid = (detail: string): ScimError => badRequest("invalidValue", detail);

/** A plain JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The stored form of `raw` for the attribute `def`, or undefined when it is unassigned.
 * `path` names the attribute in error messages ("emails[1].value", "urn:...:User:manager").
 */
export function readAttributeValue(def: AttributeDef, given: unknown, path: string): unknown {
  const raw = managerFromArray(def, given);
  if (raw === null || raw === undefined) return undefined;
  if (!def.multiValued) {
    if (Array.isArray(raw)) throw invalid(`${path} is single-valued: give one value, not an array`);
    return readSingleValue(def, raw, path, undefined);
  }
  const list = Array.isArray(raw) ? raw : [raw];
  const values: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const value = readSingleValue(def, list[i], `${path}[${i}]`, undefined);
    if (value !== undefined) values.push(value);
  }
  checkValueCount(values, path);
  if (values.length === 0) return undefined;
  settlePrimary(values);
  return values;
}

/** One value (one element of a multi-valued attribute, or a sub-attribute's value). */
export function readSingleValue(def: AttributeDef, raw: unknown, path: string, parent: AttributeDef | undefined): unknown {
  if (raw === null || raw === undefined) return undefined;
  switch (def.type) {
    case "complex":
      return readComplex(def, raw, path);
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const parsed = typeof raw === "string" ? readBooleanString(raw) : undefined;
      if (parsed === undefined) throw invalid(`${path} must be a boolean (true or false)`);
      return parsed;
    }
    case "integer":
      if (typeof raw !== "number" || !Number.isSafeInteger(raw)) throw invalid(`${path} must be an integer`);
      return raw;
    case "decimal":
      if (typeof raw !== "number" || !Number.isFinite(raw)) throw invalid(`${path} must be a number`);
      return raw;
    case "dateTime":
      if (typeof raw !== "string" || !isDateTime(raw)) throw invalid(`${path} must be an xsd:dateTime string such as "2024-05-01T12:00:00Z"`);
      return raw;
    case "string":
    case "reference":
    case "binary":
      if (typeof raw !== "string") throw invalid(`${path} must be a string`);
      checkString(raw, path, parent?.name === "x509Certificates" && def.name === "value" ? MAX_CERTIFICATE_CODE_POINTS : MAX_STRING_CODE_POINTS);
      return raw;
  }
}

function readComplex(def: AttributeDef, raw: unknown, path: string): Record<string, unknown> | undefined {
  const object = isObject(raw) ? raw : bareIdAsValueObject(def, raw);
  if (!object) throw invalid(`${path} must be an object with the sub-attributes of ${def.name}`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const sub = findAttribute(def.subAttributes, key);
    if (!sub || sub.mutability === "readOnly" || sub.name === "$ref") continue;
    const read = sub.multiValued ? readAttributeValue(sub, value, `${path}.${sub.name}`) : readSingleValue(sub, value, `${path}.${sub.name}`, def);
    if (read !== undefined) out[sub.name] = read;
  }
  if (isEmptyManagerReference(def, out)) return undefined;
  for (const sub of def.subAttributes ?? []) {
    if (sub.required && out[sub.name] === undefined && Object.keys(out).length > 0) throw invalid(`${path}.${sub.name} is required`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Length in code points (not UTF-16 units), control characters and unpaired surrogates. */
export function checkString(value: string, path: string, maxCodePoints = MAX_STRING_CODE_POINTS): void {
  if (value.length > maxCodePoints) {
    let count = 0;
    for (const _ of value) count++;
    if (count > maxCodePoints) throw invalid(`${path} is longer than ${maxCodePoints} characters (${count})`);
  }
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(value)) {
    throw invalid(`${path} must not contain control characters (only tab, line feed and carriage return are allowed)`);
  }
  if (/\p{Surrogate}/u.test(value)) throw invalid(`${path} contains an unpaired UTF-16 surrogate`);
}

export function checkValueCount(values: readonly unknown[], path: string): void {
  if (values.length > MAX_MULTI_VALUES) throw invalid(`${path} has ${values.length} values; at most ${MAX_MULTI_VALUES} are allowed`);
}

/** xsd:dateTime (RFC 7643 §2.3.5), read as the filters read it (values.ts), so a stored date is always comparable. */
const isDateTime = (value: string): boolean => parseDateTime(value) !== undefined;

/**
 * At most one `primary: true` among `values` (RFC 7643 §2.4). The winner is `preferred` when it is
 * marked primary (PATCH: the value the operation just set), else the last value marked primary.
 */
export function settlePrimary(values: unknown[], preferred?: unknown): void {
  let winner: unknown = isObject(preferred) && preferred["primary"] === true ? preferred : undefined;
  if (winner === undefined) {
    for (let i = values.length - 1; i >= 0 && winner === undefined; i--) {
      const value = values[i];
      if (isObject(value) && value["primary"] === true) winner = value;
    }
  }
  for (const value of values) {
    if (value !== winner && isObject(value) && value["primary"] === true) value["primary"] = false;
  }
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
}
