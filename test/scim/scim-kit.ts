/**
 * Helpers the SCIM suites share: a fresh organization with its own SCIM configuration, a client
 * bound to one token, and the small reads the suites repeat. Each tenant lives in an organization
 * of its own because account linking works across the configurations of one organization: two
 * suites provisioning the same email into one organization would otherwise meet.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { createScimTenant, scim, type ScimResponse, type ScimTenant } from "../support/scim-client.js";
import type { TestServer } from "../support/test-server.js";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** A SCIM client bound to one configuration's token. */
export interface ScimClient {
  tenant: ScimTenant;
  organizationId: string;
  /** An admin API key of the organization (for the management RPCs). */
  adminKey: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
  /** POST /Users; fails the test unless 201. */
  createUser(body: Record<string, unknown>): Promise<any>;
  /** POST /Groups; fails the test unless 201. */
  createGroup(body: Record<string, unknown>): Promise<any>;
  /** PATCH with a PatchOp body made of `operations`; fails the test unless 200. */
  patch(path: string, operations: unknown[], headers?: Record<string, string>): Promise<any>;
  /** GET of a list with `filter` (encoded here); the ListResponse body. */
  filter(endpoint: "/Users" | "/Groups", filter: string, extra?: string): Promise<any>;
  /** The member ids of a group, sorted. */
  memberIds(groupId: string): Promise<string[]>;
}

/** A new organization (with an admin key) and a SCIM configuration in it. */
export async function newClient(server: TestServer, options: { allowUnverifiedEmailAccountLinking?: boolean; organizationId?: string } = {}): Promise<ScimClient> {
  const organizationId = options.organizationId ?? randomUUID();
  const adminKey = await server.key("admin", organizationId);
  const tenant = await createScimTenant(server, {
    organizationId,
    adminKey,
    ...(options.allowUnverifiedEmailAccountLinking !== undefined ? { allowUnverifiedEmailAccountLinking: options.allowUnverifiedEmailAccountLinking } : {}),
  });
  return clientFor(server, tenant, organizationId, adminKey);
}

export function clientFor(server: TestServer, tenant: ScimTenant, organizationId: string, adminKey: string): ScimClient {
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => scim(server, tenant.token, method, path, body, headers);
  const created = async (endpoint: string, body: Record<string, unknown>) => {
    const res = await call("POST", endpoint, body);
    expect(res.status, `POST ${endpoint} ${JSON.stringify(body).slice(0, 300)} → ${JSON.stringify(res.body)}`).toBe(201);
    return res.body;
  };
  return {
    tenant,
    organizationId,
    adminKey,
    call,
    createUser: (body) => created("/Users", { schemas: [USER_SCHEMA], ...body }),
    createGroup: (body) => created("/Groups", { schemas: [GROUP_SCHEMA], ...body }),
    async patch(path, operations, headers) {
      const res = await call("PATCH", path, { schemas: [PATCH_OP], Operations: operations }, headers);
      expect(res.status, `PATCH ${path} ${JSON.stringify(operations).slice(0, 300)} → ${JSON.stringify(res.body)}`).toBe(200);
      return res.body;
    },
    async filter(endpoint, filter, extra = "") {
      const res = await call("GET", `${endpoint}?filter=${encodeURIComponent(filter)}${extra}`);
      expect(res.status, `filter ${filter} → ${JSON.stringify(res.body)}`).toBe(200);
      return res.body;
    },
    async memberIds(groupId) {
      const res = await call("GET", `/Groups/${groupId}`);
      expect(res.status).toBe(200);
      return ((res.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
    },
  };
}

/** Checks the RFC 7644 §3.12 error shape: the Error schema, `status` as a string, and a detail. */
export function expectScimError(res: ScimResponse, status: number, scimType?: string): void {
  const where = JSON.stringify(res.body);
  expect(res.status, where).toBe(status);
  expect(res.headers.get("content-type"), where).toMatch(/^application\/scim\+json/);
  expect(res.body?.schemas, where).toEqual([ERROR_SCHEMA]);
  expect(res.body?.status, where).toBe(String(status));
  expect(typeof res.body?.detail, where).toBe("string");
  if (scimType !== undefined) expect(res.body?.scimType, where).toBe(scimType);
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
