import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { LabelledCounter, LabelledHistogram } from "./labelled-series.js";

/** Prefix of every metric of this service (process and Node.js metrics keep their standard names). */
export const METRIC_PREFIX = "scim_config_service_";

/** The limits that refuse calls with 429 / resource_exhausted. */
export type RateLimit = "scim_configuration" | "auth_failures";

/** Open client connections, as the listener counts them. */
export interface ConnectionCounts {
  /** Connections that are not HTTP/2 sessions: HTTP/1.1, and those whose first bytes have not arrived yet. */
  http1: number;
  /** HTTP/2 sessions (gRPC clients, h2c, TLS with ALPN h2). */
  http2: number;
}

/** One finished request, already reduced to bounded labels (see request-metrics.ts). */
export interface RequestSample {
  /** connect, grpc, grpc-web or rest. */
  protocol: string;
  /** The HTTP method (GET, POST, ... or other). */
  method: string;
  /** The procedure or the route template, never a raw path. */
  route: string;
  /** The Connect/gRPC code for RPCs, the HTTP status for REST, or client_closed. */
  code: string;
  seconds: number;
}

export interface ServiceMetricsOptions {
  /** The service's version (package.json), for the build info. */
  version: string;
  /** Adds the process and Node.js metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
}

/** Request latency buckets, seconds: from a cached key check (~1 ms) to a client deadline (30 s). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Database command buckets, seconds: an indexed lookup is ~1 ms on MongoDB; DB_TIMEOUT_MS is 5 s by default. */
const DATABASE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Outcomes counted from the start (at 0), so that rate() and alerts work before the first one happens. */
const KNOWN_AUTH_OUTCOMES = {
  scim_token: ["ok", "missing", "malformed", "unknown", "expired", "rotated_out", "disabled", "address_not_allowed", "blocked", "invalid"],
  api_key: ["ok", "missing", "invalid", "blocked"],
  oauth_client: ["ok", "missing", "invalid", "disabled", "address_not_allowed", "blocked"],
  oauth_access_token: ["ok", "malformed", "unknown", "expired", "disabled", "address_not_allowed", "blocked"],
} as const;

/**
 * The service's Prometheus metrics (prom-client: the Node.js client the Prometheus project lists,
 * with the standard process metrics built in). Every label takes values from a small set the code
 * chooses (procedures, route templates, codes, outcomes), never from request data, so the number
 * of series is bounded whatever clients send. Recording is a counter increment and a histogram
 * observation per request: no I/O and no work that grows with anything.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  // The four recorded on every request: labelled-series.ts says why they are not prom-client's own.
  private readonly requests: LabelledCounter;
  private readonly requestSeconds: LabelledHistogram;
  private readonly authentications: LabelledCounter;
  private readonly limited: Counter<"limit">;
  private readonly operationSeconds: LabelledHistogram;
  private readonly commandSeconds: Histogram<"command">;
  private readonly commandErrors: Counter<"command" | "error">;
  private readonly commandsInFlight: Gauge;
  private readonly connectionEvents: Counter<"event">;
  private readonly processMetrics: Registry | undefined;
  private connectionCounts: () => ConnectionCounts = () => ({ http1: 0, http2: 0 });

  constructor(options: ServiceMetricsOptions) {
    const registers = [this.registry];
    this.requests = new LabelledCounter(
      `${METRIC_PREFIX}requests_total`,
      "Requests answered, by protocol (connect, grpc, grpc-web, rest), HTTP method, procedure or route template, and code (Connect/gRPC code for RPCs, HTTP status for REST, client_closed when the client left first).",
      ["protocol", "method", "route", "code"],
      this.registry,
    );
    this.requestSeconds = new LabelledHistogram(
      `${METRIC_PREFIX}request_duration_seconds`,
      "Time from a request's arrival to its last byte, by protocol, HTTP method and procedure or route template.",
      ["protocol", "method", "route"],
      REQUEST_BUCKETS,
      this.registry,
    );
    this.authentications = new LabelledCounter(
      `${METRIC_PREFIX}authentications_total`,
      "Credential checks by credential (scim_token, oauth_access_token, api_key, oauth_client) and outcome (ok, missing, malformed, unknown, expired, rotated_out, disabled, address_not_allowed, blocked, invalid).",
      ["credential", "outcome"],
      this.registry,
    );
    this.limited = new Counter({
      name: `${METRIC_PREFIX}rate_limited_total`,
      help: "Calls refused by a limit: scim_configuration (a SCIM configuration's request rate), auth_failures (a client address blocked after failed authentications).",
      labelNames: ["limit"],
      registers,
    });
    this.operationSeconds = new LabelledHistogram(
      `${METRIC_PREFIX}db_operation_duration_seconds`,
      "Store operations on MongoDB (one or a few commands each, retries and the DB_TIMEOUT_MS deadline included), by operation (<store>.<method>) and outcome (ok; unavailable: the database did not answer in time or refused; error: anything else, such as a conflict).",
      ["operation", "outcome"],
      DATABASE_BUCKETS,
      this.registry,
    );
    this.commandSeconds = new Histogram({
      name: `${METRIC_PREFIX}db_command_duration_seconds`,
      help: "Database commands (the driver's command monitoring, DB_COMMAND_METRICS=on), by command, successful or not.",
      labelNames: ["command"],
      buckets: DATABASE_BUCKETS,
      registers,
    });
    this.commandErrors = new Counter({
      name: `${METRIC_PREFIX}db_command_errors_total`,
      help: "Database commands that failed or whose reply reports an error, by command and error (duplicate_key is a client's conflict; timeout, network, server, write_error and write_concern are the database's).",
      labelNames: ["command", "error"],
      registers,
    });
    this.commandsInFlight = new Gauge({ name: `${METRIC_PREFIX}db_commands_in_flight`, help: "Database commands sent and not answered yet.", registers });
    // Counters, not a gauge of the pool's size: the pool opens its first connections before the
    // composition root can listen, and a count that starts late would be wrong for good.
    this.connectionEvents = new Counter({
      name: `${METRIC_PREFIX}db_connections_total`,
      help: "Connections the driver's pool opened (event=created) and closed (event=closed) since monitoring began; churn means errors or idle timeouts.",
      labelNames: ["event"],
      registers,
    });
    const counts = () => this.connectionCounts();
    new Gauge({
      name: `${METRIC_PREFIX}open_connections`,
      help: "Open client connections: http2 counts HTTP/2 sessions, http1 every other connection (HTTP/1.1, or not yet sniffed).",
      labelNames: ["protocol"],
      registers,
      collect() {
        const c = counts();
        this.set({ protocol: "http1" }, c.http1);
        this.set({ protocol: "http2" }, c.http2);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}build_info`,
      help: "Always 1; the labels say which build runs: the service's version and Node.js's.",
      labelNames: ["version", "node_version"],
      registers,
    }).set({ version: options.version, node_version: process.versions.node }, 1);

    for (const [credential, outcomes] of Object.entries(KNOWN_AUTH_OUTCOMES)) for (const outcome of outcomes) this.authentications.inc([credential, outcome], 0);
    for (const limit of ["scim_configuration", "auth_failures"] satisfies RateLimit[]) this.limited.inc({ limit }, 0);
    for (const event of ["created", "closed"]) this.connectionEvents.inc({ event }, 0);
    // Started now rather than at the first scrape, so that the event-loop delay covers the whole run.
    this.processMetrics = (options.processMetrics ?? true) ? processRegistry() : undefined;
  }

  /** Content-Type of render()'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  request(sample: RequestSample): void {
    this.requests.inc([sample.protocol, sample.method, sample.route, sample.code]);
    this.requestSeconds.observe([sample.protocol, sample.method, sample.route], sample.seconds);
  }

  authentication(credential: string, outcome: string): void {
    this.authentications.inc([credential, outcome]);
  }

  rateLimited(limit: RateLimit): void {
    this.limited.inc({ limit });
  }

  /** A store operation settled (operation and outcome are names the code chooses, see operation-deadline.ts). */
  databaseOperation(operation: string, seconds: number, outcome: string): void {
    this.operationSeconds.observe([operation, outcome], seconds);
  }

  databaseCommandStarted(): void {
    this.commandsInFlight.inc();
  }

  /** A command answered (error undefined) or failed (error: a bounded kind, see database-metrics.ts). */
  databaseCommandFinished(command: string, seconds: number, error?: string): void {
    this.commandsInFlight.dec();
    this.commandSeconds.observe({ command }, seconds);
    if (error !== undefined) this.commandErrors.inc({ command, error });
  }

  databaseConnectionEvent(event: "created" | "closed"): void {
    this.connectionEvents.inc({ event });
  }

  /** Where open_connections reads its values at each scrape (the listener). */
  countConnectionsWith(read: () => ConnectionCounts): void {
    this.connectionCounts = read;
  }

  /** Everything in Prometheus text format: this service's metrics, then the process's. */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    return this.processMetrics ? own + (await this.processMetrics.metrics()) : own;
  }
}

let processMetricsRegistry: Registry | undefined;

/**
 * prom-client's process and Node.js metrics, once per process: they start an event-loop delay
 * monitor and a GC observer that nothing stops, so every app started in the same process (the
 * tests start many) shares one set rather than adding its own.
 */
function processRegistry(): Registry {
  if (!processMetricsRegistry) {
    processMetricsRegistry = new Registry();
    // The event-loop delay is sampled every 100 ms rather than prom-client's default 10 ms: ten
    // samples a second still give a scrape interval's histogram (150 per 15 s), and the monitor's
    // 100 wake-ups a second were half of an idle replica's CPU (24 against 13 ticks per 20 s).
    collectDefaultMetrics({ register: processMetricsRegistry, eventLoopMonitoringPrecision: 100 });
  }
  return processMetricsRegistry;
}
