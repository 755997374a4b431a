import { MongoError, MongoServerError } from "mongodb";
import { KeyCollisionError, StoreUnavailableError } from "../../domain/errors.js";

/**
 * What each unique index means when it refuses a write, by index name: a rule a client can
 * break becomes the domain error that names it (AlreadyExistsError with its CONFLICT message);
 * an index the caller does not name is a generated key colliding (KeyCollisionError, internal).
 */
export type UniqueIndexErrors = Readonly<Record<string, () => Error>>;

/**
 * Runs one driver call and translates its failures into the domain's vocabulary, in one place:
 * a duplicate key becomes the error its index stands for, anything about reaching the server
 * becomes StoreUnavailableError, and the rest is rethrown for the caller to report as internal.
 */
export function guard<T>(op: () => Promise<T>, uniques: UniqueIndexErrors = {}): Promise<T> {
  // A plain .catch rather than async/await: one promise layer less on every database call.
  return op().catch((err: unknown) => {
    throw translate(err, uniques);
  });
}

function translate(err: unknown, uniques: UniqueIndexErrors): unknown {
  if (isDuplicateKey(err)) {
    const text = `${err.message} ${JSON.stringify(err.keyPattern ?? {})}`;
    for (const [index, make] of Object.entries(uniques)) {
      if (text.includes(index)) return make();
    }
    return new KeyCollisionError(`key (${err.message.slice(0, 200)})`);
  }
  if (err instanceof MongoError && isUnavailable(err)) return new StoreUnavailableError({ cause: err });
  if (isSocketError(err)) return new StoreUnavailableError({ cause: err });
  return err;
}

// Socket failures that the driver (7.x) lets through unwrapped: writing a command to a connection
// the server has just closed rejects with Node's own EPIPE "This socket has been ended by the
// other party", not a MongoNetworkError.
const SOCKET_ERROR_CODES = new Set(["EPIPE", "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END"]);

function isSocketError(err: unknown): boolean {
  return err instanceof Error && !(err instanceof MongoError) && SOCKET_ERROR_CODES.has(String((err as NodeJS.ErrnoException).code));
}

/**
 * MongoDB answers E11000 (code 11000). FerretDB v1 answers most unique violations the same way,
 * but a findAndModify that breaks one comes back as InternalError carrying SQLite's
 * "UNIQUE constraint failed: index '<collection>_<hash>_<index name>'".
 */
function isDuplicateKey(err: unknown): err is MongoServerError {
  return err instanceof MongoServerError && (err.code === 11000 || /UNIQUE constraint failed/.test(err.message));
}

const UNAVAILABLE = new Set([
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoServerSelectionError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoOperationTimeoutError",
  "MongoPoolClearedError",
  "MongoServerClosedError",
]);

function isUnavailable(err: MongoError): boolean {
  return UNAVAILABLE.has(err.name) || err.hasErrorLabel("RetryableWriteError") || err.hasErrorLabel("ResetPool");
}
