/**
 * How the SCIM wing stores a User or a Group (see the shared contract of the SCIM core).
 *
 * `ScimAttributes` holds the core attributes at the top level under their canonical schema names
 * and an extension's under its `storageKey` ("enterprise"): URNs contain dots, which MongoDB field
 * names must not. Never stored: `id`, `meta`, `schemas`, `groups` (computed from memberships),
 * `password` (kept apart, hashed), any `$ref` (built from the base URL when rendering; `$` keys are
 * not valid MongoDB field names either), a Group's members (one membership record per member).
 */
export type ScimAttributes = Record<string, unknown>;

/** The envelope of a stored resource, as rendering and filtering see it. */
export interface ScimRecord {
  /** Server-assigned, immutable id. */
  id: string;
  /** Bumped on every change; the weak ETag is `W/"<version>"`. */
  version: number;
  created: Date;
  lastModified: Date;
  attributes: ScimAttributes;
}
