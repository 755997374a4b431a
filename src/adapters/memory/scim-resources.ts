import { AlreadyExistsError, KeyCollisionError } from "../../domain/errors.js";
import { indexedEquality, type IndexedAttribute } from "../../domain/provisioning/equality-lookup.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import type { Stale } from "../../domain/provisioning/ports.js";
import { evaluateFilter } from "../../domain/scim/filter.js";
import type { ResourceTypeDef } from "../../domain/scim/schema.js";
import type { ScimRecord } from "../../domain/scim/scim-record.js";
import { compareSearchForms, searchForm, type SearchForm } from "../../domain/scim/search-form.js";
import { copy } from "./copy.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

type Scoped = ScimRecord & { scimConfigurationId: string };

interface Entry<R> {
  record: R;
  form: SearchForm;
}

export interface MemoryResourceOptions<R> {
  resource: ResourceTypeDef;
  /** The unique key per configuration (userName or displayName, lowercased) and the conflict it raises. */
  uniqueKey: (record: R) => string;
  conflict: string;
  /** Values of each indexed attribute a record has, as the search form holds them. */
  indexed: Partial<Record<IndexedAttribute, (form: SearchForm) => string[]>>;
}

/**
 * Users or Groups in memory, held to the contract the MongoDB adapter meets: unique key per
 * configuration, conditional (versioned) writes, and lookups through indexes — ids in order per
 * configuration, the unique key, and the attributes identity providers filter by — so the common
 * queries never scan. Other filters check every record of the configuration (this adapter is
 * the database of the embedded mode and of the tests, not of large deployments).
 */
export class MemoryScimResources<R extends Scoped> {
  private readonly byId = new Map<string, Entry<R>>();
  private readonly ids = new OrderedKeysByTenant();
  private readonly unique = new Map<string, string>();
  private readonly indexes = new Map<string, Set<string>>();

  constructor(private readonly options: MemoryResourceOptions<R>) {}

  create(record: R): void {
    if (this.byId.has(record.id)) throw new KeyCollisionError(`${this.options.resource.name} id`);
    const key = this.uniqueOf(record);
    if (this.unique.has(key)) throw new AlreadyExistsError(this.options.conflict);
    this.put(record);
  }

  get(scimConfigurationId: string, id: string): R | undefined {
    const entry = this.byId.get(id);
    return entry && entry.record.scimConfigurationId === scimConfigurationId ? copy(entry.record) : undefined;
  }

  getMany(scimConfigurationId: string, ids: readonly string[]): R[] {
    return [...new Set(ids)].flatMap((id) => this.get(scimConfigurationId, id) ?? []);
  }

  findUnique(scimConfigurationId: string, key: string): R | undefined {
    const id = this.unique.get(`${scimConfigurationId}/${key}`);
    return id === undefined ? undefined : this.get(scimConfigurationId, id);
  }

  list(scimConfigurationId: string, query: ListQuery): ListResult<R> {
    const { page } = query;
    if (!query.filter && page.kind === "cursor") return this.walkAll(scimConfigurationId, query);
    let entries = this.candidates(scimConfigurationId, query);
    if (query.filter) entries = entries.filter((e) => evaluateFilter(query.filter!, e.record));
    const total = entries.length;
    // sortBy orders index pages only: cursor pages walk in creation order (ListQuery).
    if (query.sort && page.kind === "index") {
      const compare = compareSearchForms(query.sort.path, query.sort.order);
      entries.sort((a, b) => compare(a.form, b.form) || (a.record.id < b.record.id ? -1 : 1));
    }
    if (page.kind === "index") {
      return { totalResults: total, items: entries.slice(page.startIndex - 1, page.startIndex - 1 + page.count).map((e) => copy(e.record)) };
    }
    // Cursor paging over a filtered set: entries are in id order (no sort with cursors).
    const ids = entries.map((e) => e.record.id);
    return pageByCursor(ids, page, total, (id) => copy(this.byId.get(id)!.record));
  }

  replace(scimConfigurationId: string, id: string, expectedVersion: number | undefined, change: (record: R) => R): R | Stale | undefined {
    const entry = this.byId.get(id);
    if (!entry || entry.record.scimConfigurationId !== scimConfigurationId) return undefined;
    if (expectedVersion !== undefined && entry.record.version !== expectedVersion) return "stale";
    const next = change(copy(entry.record));
    const key = this.uniqueOf(next);
    const owner = this.unique.get(key);
    if (owner !== undefined && owner !== id) throw new AlreadyExistsError(this.options.conflict);
    this.remove(entry.record);
    this.put({ ...next, version: entry.record.version + 1 });
    return copy(this.byId.get(id)!.record);
  }

  delete(scimConfigurationId: string, id: string, expectedVersion: number | undefined): R | Stale | undefined {
    const entry = this.byId.get(id);
    if (!entry || entry.record.scimConfigurationId !== scimConfigurationId) return undefined;
    if (expectedVersion !== undefined && entry.record.version !== expectedVersion) return "stale";
    this.remove(entry.record);
    return copy(entry.record);
  }

  /** Every record matching a predicate (for by-member lookups, which keep their own index). */
  all(ids: Iterable<string>): R[] {
    return [...ids].flatMap((id) => {
      const e = this.byId.get(id);
      return e ? [copy(e.record)] : [];
    });
  }

  private walkAll(scimConfigurationId: string, query: ListQuery): ListResult<R> {
    const page = query.page as Extract<ListQuery["page"], { kind: "cursor" }>;
    const total = this.ids.count(scimConfigurationId);
    const load = (id: string) => copy(this.byId.get(id)!.record);
    if (page.before !== undefined) {
      const ids = this.ids.before(scimConfigurationId, page.before, page.count + 1);
      const more = ids.length > page.count;
      const items = ids.slice(more ? 1 : 0);
      return { totalResults: total, items: items.map(load), ...(items.length ? { nextAfter: items[items.length - 1] } : {}), ...(more ? { previousBefore: items[0] } : {}) };
    }
    const ids = this.ids.after(scimConfigurationId, page.after, page.count + 1);
    const more = ids.length > page.count;
    const items = ids.slice(0, page.count);
    return {
      totalResults: total,
      items: items.map(load),
      ...(more ? { nextAfter: items[items.length - 1] } : {}),
      ...(page.after !== undefined && items.length > 0 ? { previousBefore: items[0] } : {}),
    };
  }

  /** The entries a filtered query needs to look at: an index's when the filter has an indexed equality, else all of the configuration. */
  private candidates(scimConfigurationId: string, query: ListQuery): Entry<R>[] {
    const equality = indexedEquality(query.filter);
    let ids: Iterable<string>;
    if (equality?.attribute === "id") ids = [equality.value];
    else if (equality && this.options.indexed[equality.attribute]) ids = [...(this.indexes.get(`${scimConfigurationId}/${equality.attribute}/${equality.value}`) ?? [])].sort();
    else ids = this.ids.after(scimConfigurationId, undefined, Number.MAX_SAFE_INTEGER);
    return [...ids].flatMap((id) => {
      const e = this.byId.get(id);
      return e && e.record.scimConfigurationId === scimConfigurationId ? [e] : [];
    });
  }

  private uniqueOf(record: R): string {
    return `${record.scimConfigurationId}/${this.options.uniqueKey(record)}`;
  }

  private put(record: R): void {
    const stored = copy(record);
    const form = searchForm(this.options.resource, stored);
    this.byId.set(stored.id, { record: stored, form });
    this.ids.insert(stored.scimConfigurationId, stored.id);
    this.unique.set(this.uniqueOf(stored), stored.id);
    for (const key of this.indexKeys(stored, form)) {
      let set = this.indexes.get(key);
      if (!set) this.indexes.set(key, (set = new Set()));
      set.add(stored.id);
    }
  }

  private remove(record: R): void {
    const entry = this.byId.get(record.id);
    if (!entry) return;
    this.byId.delete(record.id);
    this.ids.delete(record.scimConfigurationId, record.id);
    this.unique.delete(this.uniqueOf(entry.record));
    for (const key of this.indexKeys(entry.record, entry.form)) {
      const set = this.indexes.get(key);
      set?.delete(record.id);
      if (set?.size === 0) this.indexes.delete(key);
    }
  }

  private indexKeys(record: R, form: SearchForm): string[] {
    return Object.entries(this.options.indexed).flatMap(([attribute, values]) => values!(form).map((v) => `${record.scimConfigurationId}/${attribute}/${v}`));
  }
}

/** A cursor page over ids in order (a filtered set, already in memory). */
function pageByCursor<R>(ids: string[], page: { after?: string | undefined; before?: string | undefined; count: number }, total: number, load: (id: string) => R): ListResult<R> {
  if (page.before !== undefined) {
    const end = ids.findIndex((id) => id >= page.before!);
    const upto = end === -1 ? ids.length : end;
    const start = Math.max(0, upto - page.count);
    const items = ids.slice(start, upto);
    return { totalResults: total, items: items.map(load), ...(items.length ? { nextAfter: items[items.length - 1] } : {}), ...(start > 0 ? { previousBefore: items[0] } : {}) };
  }
  const start = page.after === undefined ? 0 : ids.findIndex((id) => id > page.after!);
  const from = start === -1 ? ids.length : start;
  const items = ids.slice(from, from + page.count);
  return {
    totalResults: total,
    items: items.map(load),
    ...(from + page.count < ids.length ? { nextAfter: items[items.length - 1] } : {}),
    // As walkAll (and as the `before` branch offers nextAfter): a page reached with a cursor
    // offers the way back, whether or not an earlier match still exists.
    ...(page.after !== undefined && items.length > 0 ? { previousBefore: items[0] } : {}),
  };
}

/** The string values at a dotted path of a search form (arrays of elements included). */
export function formValues(form: SearchForm, path: string[]): string[] {
  let values: unknown[] = [form];
  for (const key of path) {
    values = values.flatMap((v) => (Array.isArray(v) ? v : [v])).flatMap((v) => (typeof v === "object" && v !== null ? [(v as Record<string, unknown>)[key]] : []));
  }
  return values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is string => typeof v === "string");
}
