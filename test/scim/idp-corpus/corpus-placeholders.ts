/**
 * Placeholders in corpus steps, and turning a bound step into a request target.
 *
 * Two kinds of substitution, applied in this order to every string of a path, body, rawBody
 * and expect (keys included):
 * 1. `vars`: literal tokens of the source's own templating (`{{randomUsername}}`) → values.
 *    Matching literal text keeps those bodies byte-for-byte as the source prints them.
 * 2. `{name}`: a value saved by an earlier step's `save`. A name starts with a letter, so text
 *    such as `${__UUID}` (sent literally by Microsoft's collection), OneLogin-style
 *    `{$user.email}` or a JSON string like `{"id":…}` is never taken for a placeholder.
 */
import type { CorpusCase, CorpusStep } from "./load-corpus.js";

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Placeholder names a string refers to, once the case's var tokens are taken out. */
export function placeholderNames(value: string, vars: Record<string, string> = {}): string[] {
  const text = Object.keys(vars).reduce((acc, token) => acc.split(token).join(""), value);
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Every string a step sends or checks: path, body, rawBody, expect keys and values. */
export function stepStrings(step: CorpusStep): string[] {
  const out: string[] = [step.path];
  collectStrings(step.body, out);
  if (step.rawBody !== undefined) out.push(step.rawBody);
  if (step.expect) collectStrings(step.expect, out, true);
  return out;
}

/** The step with vars and saved values put in. Throws if a placeholder has no value. */
export function bindStep(step: CorpusStep, vars: Record<string, string>, saved: Record<string, string>): CorpusStep {
  const bind = (s: string): string => substitute(s, vars, saved);
  const bound: CorpusStep = { ...step, path: bind(step.path) };
  if (step.body !== undefined) bound.body = mapStrings(step.body, bind);
  if (step.rawBody !== undefined) bound.rawBody = bind(step.rawBody);
  if (step.expect) bound.expect = mapStrings(step.expect, bind, true) as CorpusStep["expect"];
  return bound;
}

/** One string with the case's vars and the saved values put in. */
export function substitute(value: string, vars: Record<string, string>, saved: Record<string, string>): string {
  const withVars = Object.entries(vars).reduce((acc, [token, v]) => acc.split(token).join(v), value);
  return withVars.replace(PLACEHOLDER, (_whole, name: string) => {
    const v = saved[name];
    if (v === undefined) throw new Error(`placeholder {${name}} has no saved value`);
    return v;
  });
}

/** All placeholder names a case uses before some earlier step saved them (empty when well-formed). */
export function unsavedPlaceholders(c: CorpusCase): string[] {
  const saved = new Set<string>();
  const missing: string[] = [];
  c.steps.forEach((step, i) => {
    for (const s of stepStrings(step)) {
      for (const name of placeholderNames(s, c.vars)) {
        if (!saved.has(name)) missing.push(`steps[${i}] uses {${name}}`);
      }
    }
    for (const name of Object.keys(step.save ?? {})) saved.add(name);
  });
  return missing;
}

/**
 * A request target for the wire: the source's path with characters that may not appear raw in
 * a URL (space, quotes, brackets, braces, non-ASCII) percent-encoded. Existing %XX escapes and
 * `+` (which the sources use for a space in form-encoded queries) are left as written.
 */
export function requestTarget(path: string): string {
  const allowed = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;
  let out = "";
  for (const ch of path) {
    out += allowed.test(ch) ? ch : [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
  }
  return out;
}

function collectStrings(value: unknown, out: string[], keysToo = false): void {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out, keysToo);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (keysToo) out.push(k);
      collectStrings(v, out, keysToo);
    }
  }
}

function mapStrings(value: unknown, f: (s: string) => string, keysToo = false): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f, keysToo));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [keysToo ? f(k) : k, mapStrings(v, f, keysToo)]));
  }
  return value;
}
