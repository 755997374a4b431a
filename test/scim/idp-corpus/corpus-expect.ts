/**
 * The `expect` language of the corpus: which part of a response a key names, and whether the
 * value there is what the case expects.
 *
 * Keys:
 *   userName                      top-level attribute
 *   name.givenName                sub-attribute
 *   emails[type eq "work"].value  first element whose sub-attribute equals the string
 *   members[value eq "{id}"]      that element itself (for $absent / $present)
 *   Resources[0].userName         array index (ListResponse)
 *   urn:…:2.0:User:manager.value  extension attribute: the URN is everything before the last ":"
 * Attribute names, and the `eq` keyword, are matched case-insensitively as SCIM requires
 * (RFC 7643 §2.1); values are compared exactly (the spec stores what was sent).
 */
import type { Expected, Matcher } from "./load-corpus.js";

export type PathSegment =
  | { kind: "attr"; name: string }
  | { kind: "index"; index: number }
  | { kind: "filter"; attr: string; value: string };

const SEGMENT = /^([A-Za-z$][A-Za-z0-9$_-]*)(?:\[(?:(\d+)|\s*([A-Za-z$][A-Za-z0-9$_-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*)\])?$/i;

/** The segments of an expect key; throws naming the key when it is not in the language above. */
export function parseExpectPath(key: string): PathSegment[] {
  let rest = key;
  const segments: PathSegment[] = [];
  if (/^urn:/i.test(key)) {
    const cut = key.lastIndexOf(":");
    segments.push({ kind: "attr", name: key.slice(0, cut) });
    rest = key.slice(cut + 1);
  }
  for (const part of splitDots(rest)) {
    const m = SEGMENT.exec(part);
    if (!m) throw new Error(`expect key "${key}": "${part}" is not an attribute, attr[n] or attr[sub eq "value"]`);
    segments.push({ kind: "attr", name: m[1] as string });
    if (m[2] !== undefined) segments.push({ kind: "index", index: Number(m[2]) });
    if (m[3] !== undefined) segments.push({ kind: "filter", attr: m[3], value: JSON.parse(`"${m[4]}"`) as string });
  }
  return segments;
}

/** The value a key names in a response body; undefined when any step of the way is missing. */
export function resolvePath(body: unknown, key: string): unknown {
  let current: unknown = body;
  for (const seg of parseExpectPath(key)) {
    if (current === undefined || current === null) return undefined;
    if (seg.kind === "attr") current = attribute(current, seg.name);
    else if (seg.kind === "index") current = Array.isArray(current) ? current[seg.index] : undefined;
    else current = Array.isArray(current) ? current.find((el) => attribute(el, seg.attr) === seg.value) : undefined;
  }
  return current;
}

/** Mismatches between a response body and a step's expect, one readable line each. */
export function checkExpectations(body: unknown, expect: Record<string, Expected>): string[] {
  const problems: string[] = [];
  for (const [key, expected] of Object.entries(expect)) {
    const actual = resolvePath(body, key);
    const problem = isMatcher(expected) ? checkMatcher(actual, expected) : sameJson(actual, expected) ? undefined : `expected ${show(expected)}`;
    if (problem) problems.push(`${key}: ${problem}, got ${show(actual)}`);
  }
  return problems;
}

function checkMatcher(actual: unknown, m: Matcher): string | undefined {
  const unassigned = actual === undefined || actual === null || (Array.isArray(actual) && actual.length === 0);
  if (m.$absent && !unassigned) return "expected the attribute to be absent";
  if (m.$present && unassigned) return "expected the attribute to be present";
  if (m.$length !== undefined) {
    const length = unassigned ? 0 : Array.isArray(actual) ? actual.length : -1;
    if (length !== m.$length) return `expected ${m.$length} element(s)`;
  }
  if (m.$contains !== undefined) {
    const found = Array.isArray(actual) && actual.some((el) => elementMatches(el, m.$contains));
    if (!found) return `expected an element matching ${show(m.$contains)}`;
  }
  return undefined;
}

function elementMatches(element: unknown, wanted: unknown): boolean {
  if (wanted === null || typeof wanted !== "object") return sameJson(element, wanted);
  return Object.entries(wanted).every(([k, v]) => sameJson(attribute(element, k), v));
}

/** A property by SCIM attribute name, case-insensitively (an exact match wins). */
function attribute(value: unknown, name: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (name in o) return o[name];
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
}

function isMatcher(e: Expected): e is Matcher {
  return e !== null && typeof e === "object";
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  return v === undefined ? "nothing" : JSON.stringify(v);
}

/** Splits on dots outside brackets and quotes (a filter value may contain "."). */
function splitDots(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "[") depth++;
    else if (ch === "]") depth--;
    else if (ch === "." && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
