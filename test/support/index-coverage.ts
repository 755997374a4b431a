/**
 * Index coverage: every query an adapter sends to MongoDB must be served by an index the adapter
 * creates. FerretDB v1 uses no index besides `_id`, so nothing timed on it can show this; the
 * check reads the queries the driver actually sends (command monitoring) and judges each one
 * against the index catalogue by MongoDB's planner rules. Build once, use for every adapter.
 *
 * The rules (strict, but what MongoDB's planner really does):
 * - Each predicate bounds its field as an equality (a value, `$eq`, a one-element `$in`), an
 *   `$in` (several values: equality for the index prefix, but the scan returns one run per value,
 *   so it cannot also provide a sort on a later key), a range (`$gt`, `$gte`, `$lt`, `$lte`, a
 *   regex anchored with `^` or `\A` without the i, m or x flag), or nothing the index can use
 *   (`$ne`, `$nin`, `$exists`, `$not`, `$nor`, `$expr`, an unanchored regex, ...: a residual
 *   filter, applied to the documents the index scan returns). `$elemMatch` and dotted paths count
 *   by their dotted path; `$and` merges; `$or` splits the query into branches, and every branch
 *   (with the conditions beside the `$or`) must be covered on its own.
 * - An equality (or `$in`) on `_id`, or on every key of a unique index, is covered whatever else
 *   the query says: at most one document per value is examined.
 * - Otherwise some index must have (ESR): all the query's equality and `$in` fields as its leading
 *   keys, in any order; then the sort fields (those not fixed by an equality) in order, all in the
 *   index's directions or all reversed; then range fields, and no unbound key before the last
 *   range field. An equality or range on a field the index lacks is a violation, not a residual
 *   filter: it would scan every document of the prefix (a whole tenant). Residual predicates are
 *   allowed beside a bounded scan.
 * - A lookup is covered too: an index whose first two keys the query fixes to one value each (the
 *   tenant and a lookup key: a userName, an email) selects a handful of documents, so further
 *   predicates, even equalities on fields the index lacks, are filtered on those few; the sort
 *   must still come from the index (a big group's members are not few).
 * - A query that bounds nothing (no filter, or only residual predicates; also a sort walked over a
 *   whole index) is a full scan: a violation unless the collection is listed in `allowFullScans`.
 *   A `count` without a filter is answered from collection metadata and is fine.
 * - Indexes with a partial filter, `sparse`, a collation or a non-±1 key (hashed, text, 2d) are
 *   not used by this check (conservatively: they serve only some queries).
 */
import type { CommandStartedEvent, Document, IndexDescription, MongoClient } from "mongodb";

export type QueryCommand = "find" | "findAndModify" | "update" | "delete" | "count" | "aggregate" | "distinct";

export interface RecordedQuery {
  command: QueryCommand;
  database: string;
  collection: string;
  /** The query filter; {} when the command has none. */
  filter: Document;
  /** Sort keys in order with their directions; empty when unsorted. */
  sort: [field: string, direction: unknown][];
}

export interface CommandRecorder {
  /** Every query sent since recording started (or since clear()), in order. */
  readonly commands: readonly RecordedQuery[];
  /** Forgets what was recorded so far (e.g. the queries of a test's setup). */
  clear(): void;
  /** Stops listening to the client. */
  stop(): void;
}

/** Collects the queries a client sends. The client must be created with `monitorCommands: true`. */
export function recordCommands(client: MongoClient): CommandRecorder {
  if (!client.options.monitorCommands) {
    throw new Error("recordCommands needs a MongoClient created with { monitorCommands: true }: without it the driver emits no commandStarted events");
  }
  const commands: RecordedQuery[] = [];
  const listener = (event: CommandStartedEvent) => commands.push(...queriesOf(event.commandName, event.databaseName, event.command));
  client.on("commandStarted", listener);
  return { commands, clear: () => void commands.splice(0), stop: () => void client.off("commandStarted", listener) };
}

/** The queries in one command document as the driver sends it; [] for commands that query nothing. */
export function queriesOf(commandName: string, database: string, command: Document): RecordedQuery[] {
  const name = commandName.toLowerCase();
  const collection = command[commandName];
  if (typeof collection !== "string") return []; // e.g. aggregate: 1 (database level)
  const query = (cmd: QueryCommand, filter: unknown, sort?: unknown): RecordedQuery => ({ command: cmd, database, collection, filter: (filter as Document | undefined) ?? {}, sort: sortKeys(sort) });
  switch (name) {
    case "find":
      return [query("find", command.filter, command.sort)];
    case "findandmodify":
      return [query("findAndModify", command.query, command.sort)];
    case "update":
      return ((command.updates as Document[] | undefined) ?? []).map((u) => query("update", u.q));
    case "delete":
      return ((command.deletes as Document[] | undefined) ?? []).map((d) => query("delete", d.q));
    case "count":
      return [query("count", command.query)];
    case "distinct":
      return [query("distinct", command.query)];
    case "aggregate": {
      const [first, second] = (command.pipeline as Document[] | undefined) ?? [];
      if (first && Object.keys(first).some((stage) => ADMIN_STAGES.has(stage))) return [];
      if (first?.$match !== undefined) return [query("aggregate", first.$match, second?.$sort)];
      return [query("aggregate", {}, first?.$sort)];
    }
    default:
      return [];
  }
}

const ADMIN_STAGES = new Set(["$collStats", "$indexStats", "$currentOp", "$listSessions", "$listLocalSessions", "$changeStream", "$documents", "$planCacheStats", "$listSearchIndexes"]);

function sortKeys(sort: unknown): [string, unknown][] {
  if (sort === undefined || sort === null) return [];
  // The driver sends a Map (it keeps the key order whatever the keys look like); tests write objects.
  if (sort instanceof Map) return [...(sort as Map<string, unknown>)];
  return Object.entries(sort as Document);
}

export interface CoverageOptions {
  /** Collections on which a full scan is acceptable, each with the reason (e.g. an admin CLI listing every key). */
  allowFullScans?: { collection: string; why: string }[];
}

export interface CoverageViolation {
  /** The first query of this shape. */
  query: RecordedQuery;
  /** The query's shape and why no index serves it. */
  message: string;
}

/** The queries no index of the catalogue serves, one per query shape. */
export function checkCoverage(commands: readonly RecordedQuery[], catalogue: Record<string, IndexDescription[]>, options: CoverageOptions = {}): CoverageViolation[] {
  const allowed = new Set((options.allowFullScans ?? []).map((a) => a.collection));
  const violations = new Map<string, CoverageViolation>();
  for (const query of commands) {
    if (query.command === "count" && Object.keys(query.filter).length === 0) continue;
    const indexes = [ID_INDEX, ...(catalogue[query.collection] ?? []).filter(usable)];
    const branches = branchesOf(query.filter);
    for (const branch of branches) {
      const verdict = coverBranch(branch, query.sort, indexes);
      if (verdict === undefined || (verdict.fullScan && allowed.has(query.collection))) continue;
      const shape = `${query.command} ${query.collection} ${describeBranch(branch)}${query.sort.length ? ` sort ${describeKeys(query.sort)}` : ""}`;
      const or = branches.length > 1 ? ` (one of ${branches.length} $or branches)` : "";
      if (!violations.has(shape)) violations.set(shape, { query, message: `${shape}${or}: ${verdict.why}` });
    }
  }
  return [...violations.values()];
}

// --- Predicates -------------------------------------------------------------------------------

type Bound = "point" | "in" | "range" | "residual";
/** Field path → the strongest bound any predicate puts on it (within one $or branch). */
type Branch = Map<string, Bound>;

const STRENGTH: Record<Bound, number> = { point: 3, in: 2, range: 1, residual: 0 };
const MAX_BRANCHES = 256;

function branchesOf(filter: Document): Branch[] {
  let branches: Branch[] = [new Map()];
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$comment") continue;
    if (key === "$and") for (const sub of value as Document[]) branches = cross(branches, branchesOf(sub));
    else if (key === "$or") branches = cross(branches, (value as Document[]).flatMap(branchesOf));
    else if (key.startsWith("$")) branches = cross(branches, [new Map([[key, "residual"]])]); // $nor, $expr, $where, $text, ...
    else branches = cross(branches, [fieldBounds(key, value)]);
    if (branches.length > MAX_BRANCHES) throw new Error(`index coverage: a filter with more than ${MAX_BRANCHES} $or branches`);
  }
  return branches;
}

function cross(left: Branch[], right: Branch[]): Branch[] {
  return left.flatMap((l) => right.map((r) => merge(new Map(l), r)));
}

function merge(into: Branch, from: Branch): Branch {
  for (const [path, bound] of from) {
    const had = into.get(path);
    if (had === undefined || STRENGTH[bound] > STRENGTH[had]) into.set(path, bound);
  }
  return into;
}

function fieldBounds(path: string, value: unknown): Branch {
  if (isRegex(value)) return new Map([[path, regexBound(value)]]);
  if (!isOperatorObject(value)) return new Map([[path, "point"]]);
  const out: Branch = new Map();
  const add = (p: string, b: Bound) => merge(out, new Map([[p, b]]));
  for (const [op, arg] of Object.entries(value)) {
    if (op === "$eq") add(path, "point");
    else if (op === "$in") add(path, Array.isArray(arg) && arg.length === 1 && !isRegex(arg[0]) ? "point" : "in");
    else if (op === "$gt" || op === "$gte" || op === "$lt" || op === "$lte") add(path, "range");
    else if (op === "$regex") add(path, regexBound({ pattern: arg, options: value.$options }));
    else if (op === "$options") continue;
    else if (op === "$elemMatch") merge(out, elemMatchBounds(path, arg as Document));
    else add(path, "residual");
  }
  return out;
}

/** `{a: {$elemMatch: {b: 1}}}` bounds `a.b`; `{a: {$elemMatch: {$gt: 1}}}` bounds `a`. */
function elemMatchBounds(path: string, inner: Document): Branch {
  if (isOperatorObject(inner)) return fieldBounds(path, inner);
  const branches = branchesOf(inner);
  if (branches.length !== 1) return new Map([[path, "residual"]]);
  return new Map([...branches[0]!].map(([p, b]) => [p.startsWith("$") ? path : `${path}.${p}`, b]));
}

function isRegex(v: unknown): boolean {
  return v instanceof RegExp || (typeof v === "object" && v !== null && (v as { _bsontype?: string })._bsontype === "BSONRegExp");
}

/** Anchored, case-sensitive, single-line: the planner turns it into a key range. */
function regexBound(v: unknown): Bound {
  const r = v as { source?: string; flags?: string; pattern?: unknown; options?: unknown };
  const pattern = v instanceof RegExp ? v.source : r.pattern instanceof RegExp ? r.pattern.source : String(r.pattern);
  const flags = v instanceof RegExp ? v.flags : r.pattern instanceof RegExp ? r.pattern.flags + String(r.options ?? "") : String(r.options ?? "");
  const anchored = pattern.startsWith("\\A") || (pattern.startsWith("^") && !flags.includes("m"));
  return anchored && !/[ix]/.test(flags) && !pattern.includes("|") ? "range" : "residual";
}

function isOperatorObject(v: unknown): v is Document {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date || "_bsontype" in v) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith("$");
}

// --- Indexes ----------------------------------------------------------------------------------

const ID_INDEX: IndexDescription = { key: { _id: 1 }, name: "_id_", unique: true };

function keysOf(index: IndexDescription): [string, unknown][] {
  return index.key instanceof Map ? [...index.key] : Object.entries(index.key);
}

function usable(index: IndexDescription): boolean {
  return !index.partialFilterExpression && !index.sparse && !index.collation && keysOf(index).every(([, d]) => d === 1 || d === -1);
}

/** undefined when some index serves the branch; otherwise why none does. */
function coverBranch(branch: Branch, sort: [string, unknown][], indexes: IndexDescription[]): { fullScan: boolean; why: string } | undefined {
  const equal = (f: string) => branch.get(f) === "point" || branch.get(f) === "in";
  if (indexes.some((i) => i.unique && keysOf(i).every(([f]) => equal(f)))) return undefined;
  // A lookup: an index whose first two keys the branch fixes to one value each (a tenant and a
  // lookup key such as a userName or an email) selects a handful of documents; whatever else the
  // query says is filtered on those few, and sorting them costs nothing.
  const point = (f: string) => branch.get(f) === "point";
  const lookup = (i: IndexDescription) => {
    const keys = keysOf(i);
    if (keys.length < 2 || !point(keys[0]![0]) || !point(keys[1]![0])) return false;
    // The rest of the query is residual to this index; its sort must still come from it.
    const fields = new Set(keys.map(([f]) => f));
    const onIndex: Branch = new Map([...branch].map(([f, b]) => [f, fields.has(f) ? b : "residual"]));
    return whyNotServed(onIndex, sort, keys) === undefined;
  };
  if (indexes.some(lookup)) return undefined;
  if (![...branch.values()].some((b) => b !== "residual")) {
    return { fullScan: true, why: "a full scan: nothing in the filter bounds an index" };
  }
  const reasons: string[] = [];
  for (const index of indexes) {
    const why = whyNotServed(branch, sort, keysOf(index));
    if (why === undefined) return undefined;
    reasons.push(`${index.name ?? "index"} ${describeKeys(keysOf(index))} ${why}`);
  }
  return { fullScan: false, why: reasons.join("; ") };
}

/** ESR: equality keys first, then the sort in order, then ranges. undefined when served. */
function whyNotServed(branch: Branch, sort: [string, unknown][], keys: [string, unknown][]): string | undefined {
  const bound = (f: string) => branch.get(f);
  const fields = keys.map(([f]) => f);
  const equality = [...branch].filter(([, b]) => b === "point" || b === "in").map(([f]) => f);
  const lead = fields.slice(0, equality.length);
  if (equality.some((f) => !lead.includes(f))) return `lacks the equality field(s) ${equality.filter((f) => !lead.includes(f)).join(", ")} among its leading keys`;

  // Keys fixed to one value drop out of both the sort and the index order.
  const sortRest = sort.filter(([f]) => bound(f) !== "point");
  const mismatch = sortMismatch(sortRest, keys.filter(([f]) => bound(f) !== "point"));
  if (mismatch?.kind === "directions") return `cannot provide the sort ${describeKeys(sort)}: it mixes directions the index cannot walk`;
  if (mismatch?.kind === "order") {
    const ins = equality.filter((f) => bound(f) === "in");
    const servedIfPoints = sortMismatch(sortRest.filter(([f]) => !ins.includes(f)), keys.filter(([f]) => !equality.includes(f))) === undefined;
    if (ins.length > 0 && servedIfPoints) return `cannot provide the sort ${describeKeys(sort)}: $in on ${ins.join(", ")} returns one run per value`;
    if (mismatch.found !== undefined && bound(mismatch.found) === "range") return `puts the range field ${mismatch.found} before the sort fields (ESR: equality, sort, range)`;
    return `cannot provide the sort ${describeKeys(sort)}`;
  }

  const sorted = new Set(sortRest.map(([f]) => f));
  const ranges = [...branch].filter(([, b]) => b === "range").map(([f]) => f);
  for (const range of ranges) {
    const at = fields.indexOf(range);
    if (at < 0) return `lacks the range field ${range}`;
    if (sorted.has(range)) continue;
    const between = fields.slice(equality.length, at);
    const gap = between.find((f) => !sorted.has(f) && bound(f) !== "range");
    if (gap !== undefined) return `has ${gap} unbound before the range field ${range}`;
  }

  const first = bound(fields[0]!);
  if (first === undefined || first === "residual") return "is walked whole: nothing bounds its first key (a full index scan)";
  return undefined;
}

type SortMismatch = { kind: "order"; found: string | undefined } | { kind: "directions" };

/** undefined when the index order, walked forwards or backwards, yields the sort. */
function sortMismatch(sort: [string, unknown][], order: [string, unknown][]): SortMismatch | undefined {
  let sign = 0;
  for (const [i, [field, direction]] of sort.entries()) {
    const key = order[i];
    if (key === undefined || key[0] !== field || typeof direction !== "number") return { kind: "order", found: key?.[0] };
    const s = Math.sign(direction) * (key[1] as number);
    if (sign !== 0 && s !== sign) return { kind: "directions" };
    sign = s;
  }
  return undefined;
}

// --- Descriptions -----------------------------------------------------------------------------

const BOUND_NAME: Record<Bound, string> = { point: "eq", in: "$in", range: "range", residual: "filter" };

function describeBranch(branch: Branch): string {
  return `{${[...branch].map(([f, b]) => `${f}: ${BOUND_NAME[b]}`).join(", ")}}`;
}

function describeKeys(keys: [string, unknown][]): string {
  return `{${keys.map(([f, d]) => `${f}: ${typeof d === "object" ? JSON.stringify(d) : String(d)}`).join(", ")}}`;
}
