import type { AuditContext } from "../../domain/audit/audit-entry.js";
import { isUuid } from "../../domain/ids.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import { encodeCursor, type CursorScope } from "../../domain/provisioning/list-query.js";
import type { VersionCondition } from "../../domain/provisioning/versioned-write.js";
import type { ScimConfigurationRecord } from "../../domain/records.js";
import { parseIfMatch, etagMatches, etagOf } from "../../domain/scim/etag.js";
import { project, wantsAttribute, type ProjectionParams } from "../../domain/scim/projection.js";
import { locationOf, renderResource, type ResourceLink } from "../../domain/scim/render-resource.js";
import { SCIM_URN, type ResourceTypeDef } from "../../domain/scim/schema.js";
import { ScimError } from "../../domain/scim/scim-error.js";
import type { ScimRecord } from "../../domain/scim/scim-record.js";
import { headerOf, type HttpRouter } from "../../http/http-router.js";
import { listParamsFromQuery, listParamsFromSearchRequest } from "./list-params.js";
import type { ScimCall } from "./scim-route.js";
import { readScimJson, sendScim } from "./scim-http.js";

/** A resource as the use cases return it: the record and its computed links (groups or members). */
export interface ResourceView {
  record: ScimRecord;
  groups?: ResourceLink[];
  members?: ResourceLink[];
}

/** The use cases of one resource type (ScimUsers, ScimGroups), as the routes call them; writes take the audit context. */
export interface ResourceUseCases {
  create(configuration: ScimConfigurationRecord, body: unknown, context: AuditContext): Promise<ResourceView>;
  get(configuration: ScimConfigurationRecord, id: string, withLinks: boolean): Promise<ResourceView>;
  list(configuration: ScimConfigurationRecord, query: ListQuery, withLinks: boolean): Promise<ListResult<ResourceView>>;
  replace(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withLinks: boolean, context: AuditContext): Promise<ResourceView>;
  patch(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withLinks: boolean, context: AuditContext): Promise<ResourceView>;
  delete(configuration: ScimConfigurationRecord, id: string, ifMatch: VersionCondition | undefined, context: AuditContext): Promise<void>;
}

type Route = (handler: (call: ScimCall) => Promise<void> | void) => Parameters<HttpRouter["add"]>[2];

/**
 * /Users or /Groups: POST, GET (list and by id), PUT, PATCH, DELETE and POST /.search, with
 * ETags (If-Match → 412, If-None-Match → 304), attributes/excludedAttributes on every answer
 * that carries the resource, and a Location header on 201 equal to meta.location.
 */
export function registerResourceRoutes(router: HttpRouter, route: Route, resource: ResourceTypeDef, useCases: ResourceUseCases): void {
  const base = `/scim/v2${resource.endpoint}`;
  const links = resource.id === "User" ? "groups" : "members";
  /** The list a cursor of this configuration's /Users (or /Groups) belongs to. */
  const scopeOf = (call: ScimCall): CursorScope => `${call.configuration.id}${resource.endpoint}`;
  const projectionOf = (call: ScimCall): ProjectionParams => listParamsFromQuery(resource, pick(call.url.searchParams, ["attributes", "excludedAttributes"]), scopeOf(call)).projection;
  const wants = (projection: ProjectionParams) => wantsAttribute(resource, projection, links);

  const render = (call: ScimCall, view: ResourceView, projection: ProjectionParams) =>
    project(resource, renderResource(resource, view.record, { baseUrl: call.baseUrl, ...linksOf(view) }), projection);

  const answer = (call: ScimCall, status: number, view: ResourceView, projection: ProjectionParams) => {
    const headers: Record<string, string> = { etag: etagOf(view.record.version) };
    if (status === 201) headers.location = locationOf(call.baseUrl, resource.endpoint, view.record.id);
    sendScim(call.res, status, render(call, view, projection), headers);
  };

  const list = async (call: ScimCall, request: ReturnType<typeof listParamsFromQuery>) => {
    const result = await useCases.list(call.configuration, request.query, wants(request.projection));
    const page = request.query.page;
    sendScim(call.res, 200, {
      schemas: [SCIM_URN.listResponse],
      totalResults: result.totalResults,
      itemsPerPage: result.items.length,
      ...(page.kind === "index" ? { startIndex: page.startIndex } : {}),
      ...(result.previousBefore !== undefined ? { previousCursor: encodeCursor("before", result.previousBefore, scopeOf(call)) } : {}),
      ...(result.nextAfter !== undefined ? { nextCursor: encodeCursor("after", result.nextAfter, scopeOf(call)) } : {}),
      Resources: result.items.map((v) => render(call, v, request.projection)),
    });
  };

  const idOf = (call: ScimCall): string => {
    let id: string;
    try {
      id = decodeURIComponent(call.url.pathname.slice(base.length + 1));
    } catch {
      id = "";
    }
    // Ids are server-assigned UUIDs: anything else names nothing (404, never a 500 or 400).
    if (!isUuid(id)) throw new ScimError(404, undefined, `${resource.name} ${JSON.stringify(id.slice(0, 100))} not found.`);
    return id.toLowerCase();
  };

  router.add("POST", base, route(async (call) => answer(call, 201, await useCases.create(call.configuration, await readScimJson(call.req), call.audit), projectionOf(call))));
  router.add("GET", base, route((call) => list(call, listParamsFromQuery(resource, call.url.searchParams, scopeOf(call)))));
  router.add("POST", `${base}/.search`, route(async (call) => list(call, listParamsFromSearchRequest(resource, await readScimJson(call.req), scopeOf(call)))));

  // `/Users/` with a trailing slash is the collection (Entra's documented queries carry one).
  const collectionOr = (call: ScimCall) => call.url.pathname === `${base}/`;
  router.add(
    "GET",
    `${base}/*`,
    route(async (call) => {
      if (collectionOr(call)) return list(call, listParamsFromQuery(resource, call.url.searchParams, scopeOf(call)));
      const projection = projectionOf(call);
      const view = await useCases.get(call.configuration, idOf(call), wants(projection));
      const ifNoneMatch = headerOf(call.req, "if-none-match");
      if (ifNoneMatch !== undefined && etagMatches(parseIfMatch(ifNoneMatch), view.record.version)) {
        call.res.writeHead(304, { etag: etagOf(view.record.version), "cache-control": "no-store" });
        call.res.end();
        return;
      }
      answer(call, 200, view, projection);
    }),
  );
  router.add(
    "POST",
    `${base}/*`,
    route(async (call) => {
      if (!collectionOr(call)) throw new ScimError(404, undefined, `POST ${call.url.pathname} is not a SCIM endpoint; create with POST ${base}.`);
      answer(call, 201, await useCases.create(call.configuration, await readScimJson(call.req), call.audit), projectionOf(call));
    }),
  );
  router.add(
    "PUT",
    `${base}/*`,
    route(async (call) => {
      const id = idOf(call);
      const projection = projectionOf(call);
      answer(call, 200, await useCases.replace(call.configuration, id, await readScimJson(call.req), ifMatchOf(call), wants(projection), call.audit), projection);
    }),
  );
  router.add(
    "PATCH",
    `${base}/*`,
    route(async (call) => {
      const id = idOf(call);
      const projection = projectionOf(call);
      answer(call, 200, await useCases.patch(call.configuration, id, await readScimJson(call.req), ifMatchOf(call), wants(projection), call.audit), projection);
    }),
  );
  router.add(
    "DELETE",
    `${base}/*`,
    route(async (call) => {
      await useCases.delete(call.configuration, idOf(call), ifMatchOf(call), call.audit);
      call.res.writeHead(204, { "cache-control": "no-store" });
      call.res.end();
    }),
  );
}

function linksOf(view: ResourceView): { groups?: ResourceLink[]; members?: ResourceLink[] } {
  return { ...(view.groups ? { groups: view.groups } : {}), ...(view.members ? { members: view.members } : {}) };
}

function ifMatchOf(call: ScimCall): VersionCondition | undefined {
  const header = headerOf(call.req, "if-match");
  return header === undefined ? undefined : parseIfMatch(header);
}

function pick(params: URLSearchParams, names: string[]): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of params) if (names.some((n) => n.toLowerCase() === k.toLowerCase())) out.append(k, v);
  return out;
}
