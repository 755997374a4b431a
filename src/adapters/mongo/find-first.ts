import { MongoError, MongoNetworkError, type Collection, type Db, type Document, type Filter, type WithId } from "mongodb";

/** One document by filter, with an optional projection; null when none matches. */
export type FindFirst<T extends Document> = (filter: Filter<T>, projection?: Document) => Promise<WithId<T> | null>;

/**
 * Reads one document of `collection` as `collection.findOne` does (the same `find` command with
 * `limit: 1, singleBatch: true`, so the same index and the same single round trip), without the
 * driver's cursor. findOne builds a FindCursor, iterates it and closes it; under the bench's
 * token-verification load on FerretDB that machinery cost ~35 µs of this process's CPU per read
 * (findOne 163–203 µs, the command 133–156 µs per read, client process CPU, measured side by
 * side), which was the whole gap between a SCIM request and the bare baseline. Every
 * single-document read of the adapters goes through here.
 *
 * `db.command` does not apply the driver's retryable reads, which findOne does: a read that
 * fails with an error the driver would retry (a lost connection, a primary that stepped down)
 * is tried once more here, as findOne would. The operation deadline (operation-deadline.ts)
 * bounds both tries together.
 */
export function findFirstIn<T extends Document>(db: Db, collection: Collection<T>): FindFirst<T> {
  const name = collection.collectionName;
  const read = async (filter: Filter<T>, projection: Document | undefined): Promise<WithId<T> | null> => {
    const command: Document = projection ? { find: name, filter, projection, limit: 1, singleBatch: true } : { find: name, filter, limit: 1, singleBatch: true };
    const reply = await db.command(command);
    return ((reply.cursor as { firstBatch: WithId<T>[] }).firstBatch[0] ?? null);
  };
  return (filter, projection) => read(filter, projection).catch((err: unknown) => {
    if (!isRetryableRead(err)) throw err;
    return read(filter, projection);
  });
}

// The driver's retryable-read codes (its error.ts RETRYABLE_READ_ERROR_CODES, not exported):
// HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown,
// SocketException, NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
// NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary, ExceededTimeLimit, ReadConcernMajorityNotAvailableYet.
const RETRYABLE_READ_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436, 262, 134]);

/** As the driver decides for findOne: a network error, or a server error with a retryable-read code. */
export function isRetryableRead(err: unknown): boolean {
  if (err instanceof MongoNetworkError) return true;
  return err instanceof MongoError && typeof err.code === "number" && RETRYABLE_READ_CODES.has(err.code);
}
