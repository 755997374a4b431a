/**
 * Identity-provider value forms: how one attribute value may be written, accepted by every reader
 * of a value (POST, PUT and PATCH alike, through attribute-values.ts). Part of the identity-provider
 * normalisation (idp-normalization.ts lists every rule); a module of its own so that
 * attribute-values.ts can use it without importing the request-level half.
 */
import type { AttributeDef } from "./schema.js";

/**
 * Microsoft Entra ID, default (non-`aadOptscim062020`) form, "Requests made to disable users":
 * `{"op":"Replace","path":"active","value":"False"}` — a boolean sent as the string "True" or
 * "False". Source: https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
 * Accepted in any case wherever the schema says boolean; anything else stays a type error.
 */
export function readBooleanString(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/**
 * Microsoft Entra ID sends the enterprise `manager` as a bare id (the tutorial's example body has
 * `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"Manager": "123456"}`;
 * https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
 * and scim.md accepts a Group member given as a bare id string like `{"value": "…"}`.
 * Applies to every complex attribute with a `value` sub-attribute (emails given as plain strings
 * read as `{value}` too): lenient, and it cannot change what a well-formed request means.
 */
export function bareIdAsValueObject(def: AttributeDef, raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== "string" || !def.subAttributes?.some((s) => s.name === "value")) return undefined;
  return { value: raw };
}

/**
 * An empty manager reference (`"manager": ""` or `{"value": ""}`) means "no manager": the
 * attribute becomes unassigned instead of storing a reference to nothing. Entra ID clears a
 * manager with `{"op":"Remove","path":"urn:...:enterprise:2.0:User:manager"}`, which needs no
 * rule; this one is for clients that map an emptied source attribute to an empty value.
 */
export function isEmptyManagerReference(def: AttributeDef, read: Record<string, unknown>): boolean {
  return def.name === "manager" && def.subAttributes?.some((s) => s.name === "value") === true && (read["value"] === undefined || read["value"] === "");
}

/**
 * Microsoft Entra ID's tutorial, "Handling provisioning and deprovisioning of users", example 5,
 * adds a manager as a one-element array: `"value": [{"$ref": "…", "value": "2819c223-…"}]`
 * (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
 * `manager` is single-valued (RFC 7643 §4.3), so an array given for it is read as its first
 * element; an empty array is no manager (null). Other single-valued attributes keep refusing arrays.
 */
export function managerFromArray(def: AttributeDef, raw: unknown): unknown {
  if (!Array.isArray(raw) || def.name !== "manager" || def.multiValued || !def.subAttributes?.some((s) => s.name === "value")) return raw;
  return raw.length === 0 ? null : raw[0];
}
