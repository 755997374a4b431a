/**
 * What a request costs the database, as the driver sends it: every command on a collection, by
 * shape (command, collection, the filter's fields and operators with values left out, sort,
 * projection, update operators, the inserted documents' fields) and by the BSON size of what it
 * writes. The provisioning row compares our POST /Users with the bare baseline's on these shapes,
 * so "the same database operations" is checked every run instead of asserted once.
 */
import { BSON, type CommandStartedEvent, type Document, type MongoClient } from "mongodb";

export interface TracedCommand {
  /** e.g. `find members {organizationId,formerKeys} limit 1`: comparable between two servers. */
  shape: string;
  /** BSON bytes of the documents an insert writes (0 for other commands). */
  writtenBytes: number;
}

export interface CommandTrace {
  readonly commands: readonly TracedCommand[];
  clear(): void;
  stop(): void;
}

/** Driver housekeeping that is no request's work (sessions, handshakes). */
const IGNORED = new Set(["endSessions", "hello", "isMaster", "ismaster", "ping", "saslStart", "saslContinue", "buildInfo", "getMore"]);

/** Records the commands of a client created with `{ monitorCommands: true }`. */
export function traceCommands(client: MongoClient): CommandTrace {
  if (!client.options.monitorCommands) throw new Error("traceCommands needs a MongoClient created with { monitorCommands: true }");
  const commands: TracedCommand[] = [];
  const listener = (e: CommandStartedEvent) => {
    if (!IGNORED.has(e.commandName)) commands.push(describe(e.commandName, e.command));
  };
  client.on("commandStarted", listener);
  return { commands, clear: () => void commands.splice(0), stop: () => void client.off("commandStarted", listener) };
}

function describe(name: string, c: Document): TracedCommand {
  const collection = String(c[name]);
  const parts = [name, collection];
  let writtenBytes = 0;
  switch (name) {
    case "find":
      parts.push(shapeOf(c.filter ?? {}));
      if (c.sort) parts.push(`sort ${keysOf(c.sort)}`);
      if (c.projection) parts.push(`projection ${JSON.stringify(c.projection)}`);
      if (c.limit !== undefined) parts.push(`limit ${c.limit}`);
      if (c.singleBatch) parts.push("singleBatch");
      break;
    case "findAndModify":
      parts.push(shapeOf(c.query ?? {}));
      if (c.update) parts.push(`update ${Object.keys(c.update as Document).sort().join(",")}`);
      if (c.remove) parts.push("remove");
      if (c.new) parts.push("new");
      if (c.fields) parts.push(`fields ${JSON.stringify(c.fields)}`);
      break;
    case "insert": {
      const docs = (c.documents as Document[]) ?? [];
      parts.push(`${docs.length} doc(s) {${docs.map((d) => fieldsOf(d)).join("} {")}}`);
      writtenBytes = docs.reduce((n, d) => n + BSON.calculateObjectSize(d), 0);
      break;
    }
    case "update":
      for (const u of (c.updates as Document[]) ?? []) parts.push(`${shapeOf(u.q)} ${Object.keys(u.u as Document).sort().join(",")}${u.upsert ? " upsert" : ""}`);
      break;
    case "delete":
      for (const d of (c.deletes as Document[]) ?? []) parts.push(shapeOf(d.q));
      break;
    default:
      break;
  }
  return { shape: parts.join(" "), writtenBytes };
}

/** A filter with its values left out: `{organizationId,emailKey}`, `{_id:{$in}}`. */
function shapeOf(filter: unknown): string {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter) || filter instanceof Date) return "";
  const entries = Object.entries(filter as Document).map(([k, v]) => {
    const operators = typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && Object.keys(v).every((o) => o.startsWith("$"));
    return operators ? `${k}:{${Object.keys(v as Document).join(",")}}` : k;
  });
  return `{${entries.join(",")}}`;
}

function keysOf(sort: unknown): string {
  const entries = sort instanceof Map ? [...(sort as Map<string, unknown>)] : Object.entries(sort as Document);
  return entries.map(([k, d]) => `${k}:${String(d)}`).join(",");
}

/** Top-level fields, and one level below for subdocuments (so a missing `s` or `attributes` shows). */
function fieldsOf(doc: Document): string {
  return Object.keys(doc)
    .sort()
    .map((k) => {
      const v = doc[k];
      return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) ? `${k}(${Object.keys(v as Document).length})` : k;
    })
    .join(",");
}
