import {
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoOperationTimeoutError,
  MongoServerError,
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type MongoClient,
} from "mongodb";
import type { ServiceMetrics } from "./metrics.js";

/**
 * Commands the service's adapters send (and the driver's own around them), by name; anything
 * else is counted as "other", so that a label never takes a value the code did not expect.
 */
const KNOWN_COMMANDS = new Set([
  "find",
  "getMore",
  "killCursors",
  "insert",
  "update",
  "delete",
  "findAndModify",
  "aggregate",
  "count",
  "distinct",
  "createIndexes",
  "listIndexes",
  "dropIndexes",
  "listCollections",
  "create",
  "drop",
  "ping",
  "hello",
  "endSessions",
]);

/** MongoDB's error code for a unique index refusing a document. */
const DUPLICATE_KEY = 11000;

/**
 * Feeds the database metrics from the driver's command monitoring (the client must be created
 * with `monitorCommands: true`; without it the driver emits no command events and only the
 * connection counts move) and its connection pool events. Wired by the composition root, so the adapters
 * know nothing of metrics. Returns a function that detaches the listeners.
 */
export function monitorDatabase(client: MongoClient, metrics: ServiceMetrics): () => void {
  // Started commands by request id: a failure or success is counted against its start once.
  const inFlight = new Set<number>();
  const started = (e: CommandStartedEvent) => {
    inFlight.add(e.requestId);
    metrics.databaseCommandStarted();
  };
  const finished = (e: CommandSucceededEvent | CommandFailedEvent, error?: string) => {
    if (!inFlight.delete(e.requestId)) return;
    metrics.databaseCommandFinished(KNOWN_COMMANDS.has(e.commandName) ? e.commandName : "other", e.duration / 1000, error);
  };
  // A write the server refused (a duplicate key) still "succeeds" as a command: its reply carries writeErrors.
  const succeeded = (e: CommandSucceededEvent) => finished(e, replyErrorKind(e.reply));
  const failed = (e: CommandFailedEvent) => finished(e, errorKind(e.failure));
  const created = () => metrics.databaseConnectionEvent("created");
  const closed = () => metrics.databaseConnectionEvent("closed");
  client.on("commandStarted", started);
  client.on("commandSucceeded", succeeded);
  client.on("commandFailed", failed);
  client.on("connectionCreated", created);
  client.on("connectionClosed", closed);
  return () => {
    client.off("commandStarted", started);
    client.off("commandSucceeded", succeeded);
    client.off("commandFailed", failed);
    client.off("connectionCreated", created);
    client.off("connectionClosed", closed);
  };
}

/** The error a successful command's reply reports (write errors, a write concern error), if any. */
export function replyErrorKind(reply: unknown): string | undefined {
  if (typeof reply !== "object" || reply === null) return undefined;
  const { writeErrors, writeConcernError } = reply as { writeErrors?: { code?: number }[]; writeConcernError?: unknown };
  if (Array.isArray(writeErrors) && writeErrors.length > 0) return writeErrors.every((w) => w.code === DUPLICATE_KEY) ? "duplicate_key" : "write_error";
  if (writeConcernError !== undefined) return "write_concern";
  return undefined;
}

/** A failed command's cause as a bounded label: the client's conflict, or which way the database failed. */
export function errorKind(failure: Error): string {
  if (failure instanceof MongoServerError) return failure.code === DUPLICATE_KEY ? "duplicate_key" : "server";
  if (failure instanceof MongoNetworkTimeoutError || failure instanceof MongoOperationTimeoutError) return "timeout";
  if (failure instanceof MongoNetworkError) return "network";
  return "other";
}
