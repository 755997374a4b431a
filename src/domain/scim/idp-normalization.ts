/**
 * Identity-provider quirks, in one place (scim.md, "Accept these documented identity-provider
 * forms"). Each rule is named after the provider and the documented request it comes from.
 *
 * Value-level rules, in idp-value-forms.ts (re-exported here) because every reader of a value
 * applies them (POST, PUT and PATCH bodies alike, through attribute-values.ts), including inside
 * path-less value objects and value-path targets:
 * - Entra booleans as the strings "True"/"False": readBooleanString.
 * - A bare id for a `{value}` object (Entra's manager, Group members): bareIdAsValueObject.
 * - An empty manager reference clears the manager: isEmptyManagerReference.
 * - Entra's manager as a one-element array: managerFromArray.
 *
 * Request-level rules, applied by normalizePatchRequest in front of the PATCH engine:
 * - capitalised ops and case-insensitive member names (readOperation);
 * - Okta's group rename carrying the group's own id (oktaOwnId);
 * - Entra's path-less replace with dotted / URN-qualified / value-path keys (entraDottedKeys);
 * - Entra's remove of members with a value list (entraMemberRemovalList);
 * - Entra's unqualified path to an extension attribute, `manager` (entraUnqualifiedExtensionPath);
 * - Entra's type-eq value paths that create the element (entraTypeEqCreation).
 */
import { isObject } from "./attribute-values.js";
import { parsePatchPath } from "./filter.js";
import { inOperation, type PatchOperation } from "./patch-engine.js";
import { readMemberIds } from "./resource-input.js";
import { badRequest } from "./scim-error.js";
import { resolveAttribute, SCIM_URN, type ResourceTypeDef } from "./schema.js";

export { bareIdAsValueObject, isEmptyManagerReference, managerFromArray, readBooleanString } from "./idp-value-forms.js";

/**
 * A PatchOp request body (RFC 7644 §3.5.2) → the operations the PATCH engine applies, with the
 * request-level quirks rewritten into RFC forms. Structure checks (400 invalidSyntax):
 * - `schemas` must list urn:ietf:params:scim:api:messages:2.0:PatchOp. Strict, because every
 *   documented identity-provider body sends it (Okta's and Entra's examples below), and a body
 *   without it is more likely a resource sent to the wrong method.
 * - `Operations` must be a non-empty array; each `op` is add, replace or remove in any case
 *   (Entra: "Don't require a case-sensitive match on structural elements in SCIM, in particular
 *   PATCH op operation values ... Azure AD emits the values of op as Add, Replace, and Remove",
 *   https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
 *   Member names (`schemas`, `Operations`, `op`, `path`, `value`) match case-insensitively too; an
 *   empty `path` is no path.
 */
export function normalizePatchRequest(resource: ResourceTypeDef, body: unknown, options: PatchRequestOptions): PatchOperation[] {
  if (!isObject(body)) throw badRequest("invalidSyntax", "The PATCH body must be a JSON object (a PatchOp message)");
  const schemas = member(body, "schemas");
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === SCIM_URN.patchOp.toLowerCase())) {
    throw badRequest("invalidSyntax", `schemas must be ["${SCIM_URN.patchOp}"]`);
  }
  const list = member(body, "Operations");
  if (!Array.isArray(list) || list.length === 0) throw badRequest("invalidSyntax", "Operations must be a non-empty array of operations");
  const out: PatchOperation[] = [];
  list.forEach((raw, i) => {
    const read = readOperation(raw, i);
    inOperation(i, read, () => {
      for (const operation of normalizeOperation(resource, read, options)) out.push({ ...entraTypeEqCreation(resource, operation), source: i });
    });
  });
  return out;
}

export interface PatchRequestOptions {
  /** The id of the resource being patched (Okta's group rename repeats it in the value). */
  resourceId: string;
}

function readOperation(raw: unknown, i: number): PatchOperation {
  if (!isObject(raw)) throw badRequest("invalidSyntax", `Operations[${i}] must be an object with op, path and value`);
  const op = member(raw, "op");
  const lower = typeof op === "string" ? op.toLowerCase() : undefined;
  if (lower !== "add" && lower !== "replace" && lower !== "remove") {
    throw badRequest("invalidSyntax", `Operations[${i}].op must be "add", "replace" or "remove", not ${JSON.stringify(op) ?? "missing"}`);
  }
  const path = member(raw, "path");
  if (path !== undefined && path !== null && typeof path !== "string") throw badRequest("invalidSyntax", `Operations[${i}].path must be a string`);
  const value = member(raw, "value");
  const operation: PatchOperation = { op: lower };
  if (typeof path === "string" && path.trim() !== "") operation.path = path.trim();
  if (value !== undefined) operation.value = value;
  return operation;
}

function normalizeOperation(resource: ResourceTypeDef, operation: PatchOperation, options: PatchRequestOptions): PatchOperation[] {
  if (operation.path === undefined) {
    return operation.op === "remove" || !isObject(operation.value) ? [operation] : entraDottedKeys(resource, operation.op, oktaOwnId(operation.value, options));
  }
  const qualified = { ...operation, path: entraUnqualifiedExtensionPath(resource, operation.path) };
  return entraMemberRemovalList(resource, qualified) ?? [qualified];
}

/**
 * Microsoft Entra ID's tutorial, "Handling provisioning and deprovisioning of users", example 5:
 * `{"op":"Add","path":"manager","value":[…]}` names the enterprise extension's `manager` without
 * its URN (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
 * RFC 7644 §3.10 reads an unqualified name as the core schema's, and the core schema has no such
 * attribute, so nothing is ambiguous: a plain or dotted path that the core schema does not define
 * and exactly one extension does is qualified with that extension's URN. Anything else is left
 * for the path parser to resolve or refuse.
 */
function entraUnqualifiedExtensionPath(resource: ResourceTypeDef, path: string): string {
  if (/[:[]/.test(path) || resolveAttribute(resource, path)) return path;
  const owners = resource.extensions.filter((e) => resolveAttribute(resource, `${e.schema.id}:${path}`) !== undefined);
  return owners.length === 1 ? `${owners[0]!.schema.id}:${path}` : path;
}

/**
 * Okta, "Update a specific Group name" (https://developer.okta.com/docs/reference/scim/scim-20/):
 * `{"op":"replace","value":{"id":"abf4dd94-…","displayName":"Test SCIMv2"}}` repeats the group's
 * own read-only id. An equal id is dropped; a different one is 400 mutability (the client means
 * another resource, or wants to change an id, which is never possible).
 */
function oktaOwnId(value: Record<string, unknown>, options: PatchRequestOptions): Record<string, unknown> {
  const key = Object.keys(value).find((k) => k.toLowerCase() === "id");
  if (key === undefined) return value;
  if (value[key] !== options.resourceId && value[key] !== null) {
    throw badRequest("mutability", `id is read-only: the value's id ${JSON.stringify(value[key])} is not this resource's id "${options.resourceId}"`);
  }
  const { [key]: _, ...rest } = value;
  return rest;
}

/**
 * Microsoft Entra ID, aadOptscim062020 form, "Requests to replace multiple attributes"
 * (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility):
 * a path-less replace whose value keys are paths: `"name.givenName"`,
 * `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"`, and (seen from
 * the same job) `"emails[type eq \"work\"].value"`. Each such key becomes an operation with that
 * path; plain attribute names and extension objects stay in a path-less operation. Key order is
 * kept, so later keys still win over earlier ones.
 */
function entraDottedKeys(resource: ResourceTypeDef, op: "add" | "replace", value: Record<string, unknown>): PatchOperation[] {
  const out: PatchOperation[] = [];
  let plain: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const isExtensionObject = resource.extensions.some((e) => e.schema.id.toLowerCase() === lower);
    if (isExtensionObject || !/[.[:]/.test(key)) {
      if (!plain) {
        plain = {};
        out.push({ op, value: plain });
      }
      plain[key] = v;
    } else {
      plain = undefined;
      out.push({ op, path: key, value: v });
    }
  }
  return out;
}

/**
 * Microsoft Entra ID, default form, "Requests made to remove a group member" (same page):
 * `{"op":"Remove","path":"members","value":[{"value":"u1091"}]}` removes exactly the listed
 * members (RFC 7644 would read a remove of `members` as "remove them all"). Rewritten into one
 * `members[value eq "…"]` removal per member; an empty list removes nothing.
 */
function entraMemberRemovalList(resource: ResourceTypeDef, operation: PatchOperation): PatchOperation[] | undefined {
  if (operation.op !== "remove" || operation.value === undefined || operation.value === null || resource.id !== "Group") return undefined;
  const lower = operation.path!.toLowerCase();
  if (lower !== "members" && lower !== `${resource.schema.id.toLowerCase()}:members`) return undefined;
  return readMemberIds(operation.value, "members").map((id) => ({ op: "remove", path: `members[value eq ${JSON.stringify(id)}]` }));
}

/**
 * Microsoft Entra ID maps its attributes to value paths with a single type filter —
 * `emails[type eq "work"].value`, `addresses[type eq "work"].locality`,
 * `phoneNumbers[type eq "mobile"].value` (the attribute table of the tutorial above) — and sends
 * them with Add or Replace even when the user has no such element yet. For such an operation the
 * engine creates the element with that type instead of answering noTarget; any other filter that
 * matches nothing stays noTarget for replace (RFC 7644 §3.5.2.3).
 */
function entraTypeEqCreation(resource: ResourceTypeDef, operation: PatchOperation): PatchOperation {
  if (operation.op === "remove" || operation.path === undefined || !operation.path.includes("[")) return operation;
  const { attribute, filter } = parsePatchPath(resource, operation.path);
  if (filter?.kind !== "compare" || filter.op !== "eq" || filter.path.sub?.name !== "type" || typeof filter.value !== "string") return operation;
  if (resource.id === "Group" && attribute.attribute.name === "members") return operation;
  return { ...operation, createWhenNoMatch: { type: filter.value } };
}

/** A member of a JSON object by case-insensitive name (the exact name first). */
function member(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}
