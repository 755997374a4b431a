import { bulkReferences, resolveBulkReferences } from "../../domain/provisioning/bulk-references.js";
import { isUuid } from "../../domain/ids.js";
import { parseIfMatch, etagOf } from "../../domain/scim/etag.js";
import { locationOf } from "../../domain/scim/render-resource.js";
import { GROUP_RESOURCE, SCIM_URN, USER_RESOURCE, type ResourceTypeDef } from "../../domain/scim/schema.js";
import { badRequest, ScimError } from "../../domain/scim/scim-error.js";
import type { ResourceUseCases } from "./resource-routes.js";
import type { ScimCall } from "./scim-route.js";
import { errorBody, readScimJson, sendScim } from "./scim-http.js";

/** Most operations in one POST /Bulk (ServiceProviderConfig bulk.maxOperations); the body limit is the 1 MiB of every request. */
export const BULK_MAX_OPERATIONS = 1000;

interface BulkOperation {
  index: number;
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

/**
 * POST /Bulk (RFC 7644 §3.7): the operations run in order through the same use cases as single
 * requests; an operation that refers to a resource another operation of the request creates
 * (`"bulkId:<id>"`) waits until that one has run, so a request may list them in any order; one
 * whose references cannot be resolved (unknown, failed, or circular) answers 409. With
 * `failOnErrors: n`, processing stops after n errors and the rest are not run.
 */
export function createBulkHandler(useCases: { users: ResourceUseCases; groups: ResourceUseCases }) {
  return async (call: ScimCall): Promise<void> => {
    const { operations, failOnErrors } = readBulkRequest(await readScimJson(call.req));
    const defined = new Set(operations.flatMap((o) => (o.method === "POST" && o.bulkId ? [o.bulkId] : [])));
    const assigned = new Map<string, string>();
    const failed = new Set<string>();
    const results: Record<string, unknown>[] = new Array(operations.length);
    let errors = 0;
    let pending = operations;
    while (pending.length > 0 && (failOnErrors === undefined || errors < failOnErrors)) {
      const waiting: BulkOperation[] = [];
      for (const op of pending) {
        if (failOnErrors !== undefined && errors >= failOnErrors) break;
        const refs = [...bulkReferences(op.path, op.data)];
        const unresolvable = refs.find((r) => !defined.has(r) || failed.has(r));
        if (!unresolvable && refs.some((r) => !assigned.has(r))) {
          waiting.push(op);
          continue;
        }
        const result = unresolvable
          ? failure(op, new ScimError(409, "invalidValue", `bulkId:${unresolvable} names no operation of this request that created a resource.`))
          : await run(call, useCases, op, assigned);
        results[op.index] = result;
        if (String(result.status).startsWith("2")) {
          if (op.method === "POST" && op.bulkId) assigned.set(op.bulkId, String(result.id));
        } else {
          errors++;
          if (op.bulkId) failed.add(op.bulkId);
        }
        delete result.id;
      }
      if (waiting.length === pending.length) {
        // Nothing could run: the remaining operations wait on each other (a cycle).
        for (const op of waiting) {
          if (failOnErrors !== undefined && errors >= failOnErrors) break;
          results[op.index] = failure(op, new ScimError(409, "invalidValue", "This operation's bulkId references form a cycle and cannot be resolved."));
          errors++;
        }
        break;
      }
      pending = waiting;
    }
    sendScim(call.res, 200, { schemas: [SCIM_URN.bulkResponse], Operations: results.filter((r) => r !== undefined) });
  };
}

async function run(call: ScimCall, useCases: { users: ResourceUseCases; groups: ResourceUseCases }, op: BulkOperation, assigned: Map<string, string>): Promise<Record<string, unknown>> {
  try {
    const { path, data } = resolveBulkReferences(op.path, op.data, assigned);
    const target = targetOf(path);
    const cases = target.resource === USER_RESOURCE ? useCases.users : useCases.groups;
    const ifMatch = op.version === undefined ? undefined : parseIfMatch(op.version);
    // Each operation is its own audit entry, marked with its position in the request.
    const audit = { ...call.audit, bulkOperation: op.index + 1 };
    if (op.method === "POST") {
      if (target.id !== undefined) throw badRequest("invalidPath", `POST goes to ${target.resource.endpoint}, not to one resource`);
      const view = await cases.create(call.configuration, data, audit);
      return success(op, 201, call, target.resource, view.record.id, view.record.version);
    }
    if (target.id === undefined) throw badRequest("invalidPath", `${op.method} needs a resource path like ${target.resource.endpoint}/<id>`);
    if (op.method === "DELETE") {
      await cases.delete(call.configuration, target.id, ifMatch, audit);
      return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), location: locationOf(call.baseUrl, target.resource.endpoint, target.id), status: "204" };
    }
    const view =
      op.method === "PUT" ? await cases.replace(call.configuration, target.id, data, ifMatch, false, audit) : await cases.patch(call.configuration, target.id, patchOpOf(data), ifMatch, false, audit);
    return success(op, 200, call, target.resource, view.record.id, view.record.version);
  } catch (err) {
    // A client error fails this operation only; anything else (a database outage: 503) ends the
    // whole request as it would end a single one.
    if (err instanceof ScimError) return failure(op, err);
    throw err;
  }
}

/**
 * RFC 7644's own Bulk example (§3.7.1) gives a PATCH operation's `data` as the bare array of
 * operations rather than a PatchOp message; both are accepted, the array read as the message's
 * `Operations`.
 */
function patchOpOf(data: unknown): unknown {
  return Array.isArray(data) ? { schemas: [SCIM_URN.patchOp], Operations: data } : data;
}

function success(op: BulkOperation, status: number, call: ScimCall, resource: ResourceTypeDef, id: string, version: number): Record<string, unknown> {
  return {
    method: op.method,
    ...(op.bulkId ? { bulkId: op.bulkId } : {}),
    version: etagOf(version),
    location: locationOf(call.baseUrl, resource.endpoint, id),
    status: String(status),
    id,
  };
}

function failure(op: BulkOperation, error: ScimError): Record<string, unknown> {
  return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), status: String(error.status), response: errorBody(error) };
}

function targetOf(path: string): { resource: ResourceTypeDef; id?: string } {
  const m = /^\/?(Users|Groups)(?:\/([^/]+))?\/?$/i.exec(path);
  if (!m) throw badRequest("invalidPath", `path must be /Users, /Groups, /Users/<id> or /Groups/<id> (got ${JSON.stringify(path.slice(0, 100))})`);
  const resource = m[1]!.toLowerCase() === "users" ? USER_RESOURCE : GROUP_RESOURCE;
  if (m[2] === undefined) return { resource };
  if (!isUuid(m[2])) throw new ScimError(404, undefined, `${resource.name} ${JSON.stringify(m[2].slice(0, 100))} not found.`);
  return { resource, id: m[2].toLowerCase() };
}

function readBulkRequest(body: unknown): { operations: BulkOperation[]; failOnErrors: number | undefined } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("invalidSyntax", "The body must be a BulkRequest object");
  const get = (name: string) => Object.entries(body as Record<string, unknown>).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const schemas = get("schemas");
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === SCIM_URN.bulkRequest.toLowerCase())) {
    throw badRequest("invalidSyntax", `schemas must be ["${SCIM_URN.bulkRequest}"]`);
  }
  const fail = get("failOnErrors");
  if (fail !== undefined && (!Number.isInteger(fail) || (fail as number) < 1)) throw badRequest("invalidValue", "failOnErrors must be a whole number of at least 1");
  const list = get("Operations");
  if (!Array.isArray(list) || list.length === 0) throw badRequest("invalidSyntax", "Operations must be a non-empty array");
  if (list.length > BULK_MAX_OPERATIONS) throw new ScimError(413, "tooMany", `A Bulk request may carry at most ${BULK_MAX_OPERATIONS} operations (got ${list.length}).`);
  const seen = new Set<string>();
  const operations = list.map((raw, index): BulkOperation => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badRequest("invalidSyntax", `Operations[${index}] must be an object`);
    const field = (name: string) => Object.entries(raw as Record<string, unknown>).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    const method = typeof field("method") === "string" ? (field("method") as string).toUpperCase() : "";
    if (method !== "POST" && method !== "PUT" && method !== "PATCH" && method !== "DELETE") throw badRequest("invalidSyntax", `Operations[${index}].method must be POST, PUT, PATCH or DELETE`);
    const path = field("path");
    if (typeof path !== "string" || path === "") throw badRequest("invalidSyntax", `Operations[${index}].path is required`);
    const bulkId = field("bulkId");
    if (bulkId !== undefined && (typeof bulkId !== "string" || bulkId === "")) throw badRequest("invalidSyntax", `Operations[${index}].bulkId must be a non-empty string`);
    if (method === "POST" && bulkId === undefined) throw badRequest("invalidSyntax", `Operations[${index}]: a POST needs a bulkId`);
    if (typeof bulkId === "string") {
      if (seen.has(bulkId)) throw badRequest("invalidSyntax", `Operations[${index}]: bulkId ${JSON.stringify(bulkId)} is used twice`);
      seen.add(bulkId);
    }
    const version = field("version");
    if (version !== undefined && typeof version !== "string") throw badRequest("invalidSyntax", `Operations[${index}].version must be an ETag string`);
    const data = field("data");
    if ((method === "POST" || method === "PUT" || method === "PATCH") && data === undefined) throw badRequest("invalidSyntax", `Operations[${index}].data is required for ${method}`);
    return { index, method, path, ...(typeof bulkId === "string" ? { bulkId } : {}), ...(typeof version === "string" ? { version } : {}), ...(data !== undefined ? { data } : {}) };
  });
  return { operations, failOnErrors: fail as number | undefined };
}
