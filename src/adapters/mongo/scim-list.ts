/**
 * GET /Users and /Groups as MongoDB queries: the SCIM filter translated onto the search form
 * (scim-filter-query.ts), index paging by skip/limit with countDocuments, cursor paging as a
 * keyset on _id (ids are UUIDv7, so _id order is creation order).
 */
import type { Collection, Filter, Sort } from "mongodb";
import { indexedEquality, type IndexedAttribute } from "../../domain/provisioning/equality-lookup.js";
import type { CursorPage, ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import type { FilterAst } from "../../domain/scim/filter.js";
import { guard } from "./errors.js";
import { filterToMongo, sortToMongo, type MongoFilter } from "./scim-filter-query.js";
import { WITHOUT_FORM, type ResourceDoc } from "./scim-documents.js";

/** Where each attribute that identity providers look resources up by is indexed (indexes.ts). */
const INDEXED_FIELD: Record<IndexedAttribute, string> = {
  id: "_id",
  userName: "s.userName",
  externalId: "s.externalId",
  "emails.value": "s.emails.value",
  displayName: "s.displayName",
};

/**
 * The query of a configuration's resources matching `filter`. An equality on an indexed
 * attribute that every match satisfies is also put at the top level (on `_id` for `id eq`, which
 * the search form holds at `s.id`): the planner then picks its index whatever the shape of the
 * rest of the filter.
 */
export function resourceQuery(scimConfigurationId: string, filter: FilterAst | undefined): MongoFilter {
  let query: MongoFilter = { scimConfigurationId };
  const equality = indexedEquality(filter);
  if (equality) query = conjoin(query, { [INDEXED_FIELD[equality.attribute]]: equality.value });
  return filter ? conjoin(query, filterToMongo(filter, "s")) : query;
}

/** `a and b` as one filter: b's conditions beside a's, or in `$and` where a field is already constrained differently. */
export function conjoin(a: MongoFilter, b: MongoFilter): MongoFilter {
  const out: MongoFilter = { ...a };
  const extra: MongoFilter[] = [];
  for (const [field, condition] of Object.entries(b)) {
    if (!(field in out)) out[field] = condition;
    else if (field === "$and") extra.push(...(condition as MongoFilter[]));
    else if (JSON.stringify(out[field]) !== JSON.stringify(condition)) extra.push({ [field]: condition });
  }
  if (extra.length > 0) out["$and"] = [...((out["$and"] as MongoFilter[] | undefined) ?? []), ...extra];
  return out;
}

/** One page of a list, as the memory store pages it (src/adapters/memory/scim-resources.ts). */
export async function listResources<R>(collection: Collection<ResourceDoc>, scimConfigurationId: string, query: ListQuery, map: (doc: ResourceDoc) => R): Promise<ListResult<R>> {
  const where = resourceQuery(scimConfigurationId, query.filter);
  const count = () => guard(() => collection.countDocuments(where as Filter<ResourceDoc>));
  const { page } = query;
  if (page.kind === "cursor") {
    const [total, result] = await Promise.all([count(), cursorPage(collection, where, page)]);
    return { ...result, totalResults: total, items: result.items.map(map) };
  }
  // count=0 asks for totalResults only (and limit(0) would mean "no limit").
  if (page.count === 0) return { totalResults: await count(), items: [] };
  // Creation order unless sortBy; ties in creation order either way, as in the memory store.
  const sort: Sort = query.sort ? { ...sortToMongo(query.sort.path, query.sort.order, "s"), _id: 1 } : { _id: 1 };
  const [total, docs] = await Promise.all([
    count(),
    guard(() =>
      collection
        .find(where as Filter<ResourceDoc>, WITHOUT_FORM)
        .sort(sort)
        .skip(page.startIndex - 1)
        .limit(page.count)
        .toArray(),
    ),
  ]);
  return { totalResults: total, items: docs.map(map) };
}

/**
 * A keyset page in _id order (sortBy does not apply to cursor pages). One document more than
 * asked says whether the walk goes on in that direction; going back from `before`, the page is
 * read in descending order and turned around. A page reached with a cursor always offers the way
 * back (nextAfter after a `before` page, previousBefore after an `after` page) when it has items.
 */
async function cursorPage(collection: Collection<ResourceDoc>, where: MongoFilter, page: CursorPage): Promise<ListResult<ResourceDoc>> {
  const fetch = (range: Record<string, string> | undefined, direction: 1 | -1) =>
    guard(() =>
      collection
        .find((range ? conjoin(where, { _id: range }) : where) as Filter<ResourceDoc>, WITHOUT_FORM)
        .sort({ _id: direction })
        .limit(page.count + 1)
        .toArray(),
    );
  if (page.before !== undefined) {
    const docs = (await fetch({ $lt: page.before }, -1)).reverse();
    const more = docs.length > page.count;
    const items = docs.slice(more ? 1 : 0);
    return { totalResults: 0, items, ...(items.length ? { nextAfter: items[items.length - 1]!._id } : {}), ...(more ? { previousBefore: items[0]?._id } : {}) };
  }
  const docs = await fetch(page.after === undefined ? undefined : { $gt: page.after }, 1);
  const more = docs.length > page.count;
  const items = docs.slice(0, page.count);
  return {
    totalResults: 0,
    items,
    ...(more ? { nextAfter: items[items.length - 1]?._id } : {}),
    ...(page.after !== undefined && items.length > 0 ? { previousBefore: items[0]!._id } : {}),
  };
}
