import type { Collection, Filter } from "mongodb";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import { guard } from "./errors.js";

/** The id is the document's _id; every other field is stored under its record name. */
export type Doc<T extends { id: string }> = Omit<T, "id"> & { _id: string };

export function toDoc<T extends { id: string }>(record: T): Doc<T> {
  const { id, ...rest } = record;
  return { _id: id, ...rest } as Doc<T>;
}

export function fromDoc<T extends { id: string }>(doc: Doc<T>): T {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as unknown as T;
}

/**
 * Filter for "at least one of these fields would change", so that a write that changes nothing
 * matches no document and leaves `updatedAt` alone.
 */
export function anyFieldDiffers(set: Record<string, unknown>): Filter<{ _id: string }> {
  return { $or: Object.entries(set).map(([field, value]) => ({ [field]: { $ne: value } })) } as Filter<{ _id: string }>;
}

/**
 * One keyset page of a tenant's documents in _id order (UUIDv7: creation order), served by the
 * {<tenant field>: 1, _id: 1} index; one document more than asked says whether more exist.
 */
export async function findPage<D extends { _id: string }, T extends { id: string }>(
  collection: Collection<D>,
  tenant: Record<string, string>,
  page: PageRequest,
  map: (doc: D) => T,
  residual: Record<string, unknown> = {},
): Promise<Page<T>> {
  const filter = { ...tenant, ...residual, ...(page.afterId === undefined ? {} : { _id: { $gt: page.afterId } }) } as Filter<D>;
  const sort = { ...Object.fromEntries(Object.keys(tenant).map((k) => [k, 1])), _id: 1 } as Record<string, 1>;
  const docs = await guard(() => collection.find(filter).sort(sort).limit(page.limit + 1).toArray());
  return toPage(docs.map((d) => map(d as D)), page.limit);
}
