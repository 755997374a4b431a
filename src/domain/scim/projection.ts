/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) applied to a rendered resource,
 * driven by each attribute's `returned` characteristic (RFC 7643 §7):
 * - `always` (id, schemas, meta) come back whatever was asked; `never` (password) never do;
 * - `default` come back unless excluded, or, when `attributes` is given, only when listed;
 * - `request` come back only when listed in `attributes`.
 * Names are case-insensitive, may name a sub-attribute ("name.givenName", "emails.value") and may
 * be URN-qualified; an extension's URN alone names all of its attributes.
 *
 * Unknown names are ignored, not refused: RFC 7644 defines no error for them, identity providers
 * send attribute lists written for other servers' schemas, and returning what does exist is
 * what RFC 7644 §3.9's "return only the listed attributes" asks for. When both parameters are
 * given (the RFC expects one or the other), `attributes` wins: it is the narrower request.
 */
import { COMMON_ATTRIBUTES, findAttribute, resolveAttribute, schemasOf, type AttributeDef, type ResourceTypeDef, type SchemaDef } from "./schema.js";

export interface ProjectionParams {
  /** `attributes`: a comma-separated query parameter, or the SearchRequest's array of names. */
  attributes?: string | readonly string[] | undefined;
  /** `excludedAttributes`, in the same forms. */
  excludedAttributes?: string | readonly string[] | undefined;
}

/** Per schema URN, per canonical attribute name: the whole attribute ("all") or some sub-attribute names. */
type Selection = Map<string, Map<string, "all" | Set<string>>>;

interface Plan {
  mode: "attributes" | "excluded" | "default";
  selection: Selection;
}

function names(param: string | readonly string[] | undefined): string[] {
  if (param === undefined) return [];
  const list = typeof param === "string" ? [param] : param;
  return list.flatMap((p) => p.split(",")).map((n) => n.trim()).filter((n) => n !== "");
}

function plan(resource: ResourceTypeDef, params: ProjectionParams): Plan {
  const requested = names(params.attributes);
  const excluded = names(params.excludedAttributes);
  const mode = requested.length > 0 ? "attributes" : excluded.length > 0 ? "excluded" : "default";
  const selection: Selection = new Map();
  for (const name of mode === "attributes" ? requested : excluded) {
    const bySchema = (schema: SchemaDef) => selection.get(schema.id) ?? selection.set(schema.id, new Map()).get(schema.id)!;
    const wholeSchema = schemasOf(resource).find((s) => s.id.toLowerCase() === name.toLowerCase());
    if (wholeSchema) {
      for (const def of wholeSchema.attributes) bySchema(wholeSchema).set(def.name, "all");
      continue;
    }
    const resolved = resolveAttribute(resource, name);
    if (!resolved) continue; // unknown names are ignored (see above)
    const attrs = bySchema(resolved.schema);
    const current = attrs.get(resolved.attribute.name);
    if (!resolved.sub) attrs.set(resolved.attribute.name, "all");
    else if (current !== "all") attrs.set(resolved.attribute.name, (current ?? new Set<string>()).add(resolved.sub.name));
  }
  return { mode, selection };
}

/** What of `def` to return: everything, nothing, or only some sub-attributes (keep / drop by name). */
type Decision = { kind: "all" } | { kind: "none" } | { kind: "subs"; keep: (sub: AttributeDef) => boolean };

function decide(p: Plan, schema: SchemaDef, def: AttributeDef): Decision {
  if (def.returned === "never") return { kind: "none" };
  if (def.returned === "always") return { kind: "all" };
  const chosen = p.selection.get(schema.id)?.get(def.name);
  switch (p.mode) {
    case "default":
      return def.returned === "request" ? { kind: "none" } : { kind: "all" };
    case "attributes":
      if (chosen === undefined) return { kind: "none" };
      if (chosen === "all") return { kind: "all" };
      return { kind: "subs", keep: (sub) => sub.returned === "always" || (sub.returned !== "never" && chosen.has(sub.name)) };
    case "excluded":
      if (def.returned === "request" || chosen === "all") return { kind: "none" };
      if (chosen === undefined) return { kind: "all" };
      return { kind: "subs", keep: (sub) => sub.returned === "always" || (sub.returned !== "never" && sub.returned !== "request" && !chosen.has(sub.name)) };
  }
}

/** The value of `def` with only the kept sub-attributes; undefined when nothing is left. */
function keepSubs(def: AttributeDef, value: unknown, keep: (sub: AttributeDef) => boolean): unknown {
  const one = (element: unknown) => {
    if (typeof element !== "object" || element === null) return undefined;
    const out = Object.fromEntries(
      Object.entries(element).filter(([key]) => {
        const sub = findAttribute(def.subAttributes, key);
        return sub !== undefined && keep(sub);
      }),
    );
    return Object.keys(out).length > 0 ? out : undefined;
  };
  if (!Array.isArray(value)) return one(value);
  const elements = value.map(one).filter((e) => e !== undefined);
  return elements.length > 0 ? elements : undefined;
}

function projectAttributes(p: Plan, schema: SchemaDef, defs: readonly AttributeDef[], source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const def = findAttribute(defs, key);
    // A key no schema defines is not ours to judge: treat it as returned by default.
    const decision = def ? decide(p, schema, def) : p.mode === "attributes" ? { kind: "none" as const } : { kind: "all" as const };
    if (decision.kind === "all") out[key] = value;
    else if (decision.kind === "subs" && def) {
      const kept = keepSubs(def, value, decision.keep);
      if (kept !== undefined) out[key] = kept;
    }
  }
  return out;
}

/** The rendered resource with only what `params` asks for (see the rules above). */
export function project(resource: ResourceTypeDef, rendered: Record<string, unknown>, params: ProjectionParams): Record<string, unknown> {
  const p = plan(resource, params);
  const core = resource.schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rendered)) {
    if (key === "schemas") {
      out[key] = value;
      continue;
    }
    const extension = resource.extensions.find((e) => e.schema.id.toLowerCase() === key.toLowerCase())?.schema;
    if (extension) {
      if (typeof value !== "object" || value === null) continue;
      const projected = projectAttributes(p, extension, extension.attributes, value as Record<string, unknown>);
      if (Object.keys(projected).length > 0) out[key] = projected;
      continue;
    }
    Object.assign(out, projectAttributes(p, core, [...COMMON_ATTRIBUTES, ...core.attributes], { [key]: value }));
  }
  return out;
}

/**
 * Whether the projection keeps any part of the core attribute `name` ("members", "groups"), so a
 * route can skip reading what would be thrown away: GET /Groups/{id}?excludedAttributes=members
 * must never read the membership.
 */
export function wantsAttribute(resource: ResourceTypeDef, params: ProjectionParams, name: string): boolean {
  const def = findAttribute(resource.schema.attributes, name) ?? findAttribute(COMMON_ATTRIBUTES, name);
  if (!def) throw new Error(`${resource.name} has no attribute ${name}`);
  return decide(plan(resource, params), resource.schema, def).kind !== "none";
}
