import { isDeepStrictEqual } from "node:util";
import { RESOURCE_TYPES } from "../scim/schema.js";

/**
 * The names of the fields whose value differs between two versions of a record, among `fields`
 * (record property → the name an admin knows it by, e.g. `clientSecretHash` → `client_secret`).
 * Only names leave this function: an audit entry never carries a value, so a secret cannot leak
 * through one.
 */
export function changedFields<T extends object>(before: T, after: T, fields: Partial<Record<keyof T, string>>): string[] {
  const out: string[] = [];
  for (const [key, name] of Object.entries(fields) as [keyof T, string][]) {
    if (!isDeepStrictEqual(before[key], after[key])) out.push(name);
  }
  return out;
}

/**
 * The SCIM attributes that differ between two stored attribute sets: top-level attribute names,
 * and an extension's attributes as `<extension storage key>.<attribute>` (e.g.
 * `enterprise.department`), sorted.
 */
export function changedScimAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    if (isDeepStrictEqual(a, b)) continue;
    if (isPlainObject(a) && isPlainObject(b) && isExtension(key)) {
      for (const sub of changedScimAttributes(a, b)) out.add(`${key}.${sub}`);
    } else {
      out.add(key);
    }
  }
  return [...out].sort();
}

// Extensions are stored under their schema's storage key (scim-record.ts); core complex
// attributes like `name` are reported whole, as SCIM names them.
const EXTENSION_KEYS = new Set(RESOURCE_TYPES.flatMap((r) => r.extensions.flatMap((e) => (e.schema.storageKey ? [e.schema.storageKey] : []))));
const isExtension = (key: string) => EXTENSION_KEYS.has(key);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
