import type { IndexDescription } from "mongodb";

/** A query as the driver sent it: the filter and the sort of a find, or the filter of a delete. */
export interface SentQuery {
  collection: string;
  filter: Record<string, unknown>;
  sort?: Record<string, number> | undefined;
}

const RANGE = new Set(["$gt", "$gte", "$lt", "$lte"]);

/**
 * Whether an index of the list (or the built-in _id index) serves the query as MongoDB's planner
 * needs it: the index's leading keys are equality ($eq or $in) fields of the filter, followed by
 * the sort's fields (a range may bound the first key instead). Filter fields outside the index
 * are allowed (checked on the documents the index yields), so one index may serve several filter
 * combinations; an index the query neither pins nor bounds by its first key is not "serving".
 */
export function servedByIndex(query: SentQuery, indexes: readonly IndexDescription[]): string | undefined {
  const equality = new Set<string>();
  const ranged = new Set<string>();
  for (const [field, value] of Object.entries(query.filter)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)) {
      const ops = Object.keys(value);
      if (ops.length === 1 && ops[0] === "$in") equality.add(field);
      else if (ops.every((op) => RANGE.has(op))) ranged.add(field);
    } else {
      equality.add(field);
    }
  }
  const sortFields = Object.keys(query.sort ?? {}).filter((f) => !equality.has(f));
  for (const index of [{ key: { _id: 1 }, name: "_id_" }, ...indexes]) {
    const keys = Object.keys(index.key);
    let i = 0;
    while (i < keys.length && equality.has(keys[i]!)) i++;
    const rest = keys.slice(i);
    if (!sortFields.every((f, n) => rest[n] === f)) continue;
    // An index whose first key the filter does not pin or bound would be walked whole: a scan.
    if (i === 0 && !ranged.has(keys[0]!)) continue;
    return index.name ?? keys.join("_");
  }
  return undefined;
}
