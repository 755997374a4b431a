/**
 * How attribute values compare (RFC 7644 §3.4.2.2): one normalization, shared by the in-memory
 * evaluator and the search form the database queries, so both stores give the same answers.
 * - A string of a caseExact=false attribute compares lowercased (`toLowerCase`, no locale).
 * - dateTime values compare as instants (Date).
 * - "Absent" is undefined, null, "", [] and {} (after normalizing what is inside): `pr` is false
 *   for all of them, and the search form leaves them out, so `pr` is a plain field-exists query.
 * - Strings order by Unicode code point, which is MongoDB's order (UTF-8 bytes) too; JavaScript's
 *   `<` orders by UTF-16 code unit and differs above U+FFFF.
 */
import type { AttributeDef } from "./schema.js";

/** RFC 3339 / xsd:dateTime; a value without a zone is taken as UTC (not the server's local time). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;

export function parseDateTime(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const date = new Date(m[8] ? text : `${text}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A leaf value (simple type) normalized for comparison, or undefined when absent or of the wrong type. */
export function normalizeLeaf(def: AttributeDef, raw: unknown): string | number | boolean | Date | undefined {
  switch (def.type) {
    case "string":
    case "reference":
    case "binary":
      if (typeof raw !== "string" || raw === "") return undefined;
      return def.caseExact ? raw : raw.toLowerCase();
    case "boolean":
      return typeof raw === "boolean" ? raw : undefined;
    case "integer":
    case "decimal":
      return typeof raw === "number" && Number.isFinite(raw) ? raw : undefined;
    case "dateTime":
      if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw;
      return typeof raw === "string" ? parseDateTime(raw) : undefined;
    case "complex":
      return undefined;
  }
}

/** A complex value (one element, or a single-valued complex attribute) with its sub-attributes normalized; undefined when nothing is left. */
export function normalizeComplex(def: AttributeDef, raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const out: Record<string, unknown> = {};
  for (const sub of def.subAttributes ?? []) {
    const v = normalizeLeaf(sub, (raw as Record<string, unknown>)[sub.name]);
    if (v !== undefined) out[sub.name] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A whole attribute value normalized: arrays keep their non-absent elements, in order. */
export function normalizeAttribute(def: AttributeDef, raw: unknown): unknown {
  const one = (v: unknown) => (def.type === "complex" ? normalizeComplex(def, v) : normalizeLeaf(def, v));
  if (!def.multiValued) return one(raw);
  if (!Array.isArray(raw)) return undefined;
  const values = raw.map(one).filter((v) => v !== undefined);
  return values.length > 0 ? values : undefined;
}

/** Code-point order of two strings (MongoDB's binary string order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
