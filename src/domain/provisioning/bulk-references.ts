/**
 * `bulkId` references (RFC 7644 §3.7.2): in a Bulk request, a new resource is named by the
 * client's `bulkId` before it has an id, as `"bulkId:<id>"` in a path or in any string value of
 * another operation's data. Pure helpers: which bulkIds an operation refers to, and the operation
 * with them replaced by the ids the server assigned.
 */

const REFERENCE = /^bulkId:(.+)$/;

/** The bulkIds referred to anywhere in a path and a data value. */
export function bulkReferences(path: string, data: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      const m = REFERENCE.exec(v);
      if (m) found.add(m[1]!);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(visit);
  };
  for (const segment of path.split("/")) visit(decodeSafely(segment));
  visit(data);
  return found;
}

/** The path and data with every `bulkId:<id>` replaced by the assigned id. */
export function resolveBulkReferences(path: string, data: unknown, ids: ReadonlyMap<string, string>): { path: string; data: unknown } {
  const swap = (v: unknown): unknown => {
    if (typeof v === "string") {
      const m = REFERENCE.exec(v);
      return m && ids.has(m[1]!) ? ids.get(m[1]!) : v;
    }
    if (Array.isArray(v)) return v.map(swap);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
    return v;
  };
  return { path: path.split("/").map((s) => String(swap(decodeSafely(s)))).join("/"), data: swap(data) };
}

function decodeSafely(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
