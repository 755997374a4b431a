/**
 * A stored record → the SCIM JSON resource (RFC 7643 §3, §4): `schemas`, `id`, the attributes in
 * schema order (an extension's under its URN key), the computed `groups` / `members`, and `meta`.
 * Every `$ref` is an absolute URL built from the base URL (scim.md: PUBLIC_BASE_URL, else the
 * request's scheme and Host), which is why none is stored. `password` is never rendered (returned:
 * never). Projection (`attributes` / `excludedAttributes`) is applied afterwards by the caller.
 */
import { etagOf } from "./etag.js";
import { isObject } from "./attribute-values.js";
import { SCIM_URN, type ResourceTypeDef } from "./schema.js";
import type { ScimRecord } from "./scim-record.js";

export { etagOf, etagMatches, parseIfMatch } from "./etag.js";

/** A computed reference to another resource: a User's group, a Group's member. */
export interface ResourceLink {
  /** The id of the Group (in a User's groups) or of the User (in a Group's members). */
  value: string;
  /** The Group's displayName, or the member User's displayName (else userName). */
  display?: string;
}

export interface RenderOptions {
  /** Scheme, host and optional path prefix the SCIM API is reached at, e.g. "https://id.example.com" (a trailing slash is ignored). */
  baseUrl: string;
  /** A User's groups; omitted from the output when undefined (not loaded, e.g. excluded by the request). */
  groups?: readonly ResourceLink[];
  /** A Group's members; omitted from the output when undefined (`excludedAttributes=members` never reads them). */
  members?: readonly ResourceLink[];
}

/** `<base>/scim/v2/Users/<id>` or `/Groups/<id>`: meta.location, the Location header, and every $ref. */
export function locationOf(baseUrl: string, endpoint: "/Users" | "/Groups", id: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/scim/v2${endpoint}/${encodeURIComponent(id)}`;
}

export function renderResource(resource: ResourceTypeDef, record: ScimRecord, options: RenderOptions): Record<string, unknown> {
  const attributes = record.attributes;
  const out: Record<string, unknown> = { schemas: [resource.schema.id], id: record.id };
  if (attributes["externalId"] !== undefined) out["externalId"] = attributes["externalId"];
  for (const def of resource.schema.attributes) {
    if (def.returned === "never") continue;
    const value = attributes[def.name];
    if (value !== undefined) out[def.name] = value;
  }
  for (const { schema } of resource.extensions) {
    const stored = schema.storageKey ? attributes[schema.storageKey] : undefined;
    if (!isObject(stored) || Object.keys(stored).length === 0) continue;
    const rendered: Record<string, unknown> = {};
    for (const def of schema.attributes) {
      if (def.returned === "never" || stored[def.name] === undefined) continue;
      rendered[def.name] = stored[def.name];
    }
    const manager = rendered["manager"];
    if (schema.id === SCIM_URN.enterpriseUser && isObject(manager) && typeof manager["value"] === "string") {
      rendered["manager"] = { ...manager, $ref: locationOf(options.baseUrl, "/Users", manager["value"]) };
    }
    if (Object.keys(rendered).length > 0) {
      (out["schemas"] as string[]).push(schema.id);
      out[schema.id] = rendered;
    }
  }
  if (resource.id === "User" && options.groups) {
    out["groups"] = options.groups.map((g) => link(g, locationOf(options.baseUrl, "/Groups", g.value), "direct"));
  }
  if (resource.id === "Group" && options.members) {
    out["members"] = options.members.map((m) => link(m, locationOf(options.baseUrl, "/Users", m.value), "User"));
  }
  out["meta"] = {
    resourceType: resource.name,
    created: record.created.toISOString(),
    lastModified: record.lastModified.toISOString(),
    location: locationOf(options.baseUrl, resource.endpoint, record.id),
    version: etagOf(record.version),
  };
  return out;
}

function link(l: ResourceLink, ref: string, type: string): Record<string, unknown> {
  return l.display === undefined ? { value: l.value, $ref: ref, type } : { value: l.value, $ref: ref, display: l.display, type };
}
