import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { SharedHealth } from "./shared-health.js";

export interface GrpcHealthOptions {
  /** Services whose health is the database's: each is SERVING exactly when `ping` answers true. */
  services: readonly string[];
  /** Asks the database; resolves false (never rejects) when it is unreachable. */
  ping: () => Promise<boolean>;
  /** How often the one shared health state asks the database while any Watch stream is open. */
  watchIntervalMs?: number;
  /** Watch streams open at once; more are refused with resource_exhausted. */
  maxWatchStreams?: number;
}

/**
 * The standard gRPC health service (grpc.health.v1.Health), so load balancers, Kubernetes gRPC
 * probes and grpc-health-probe can check the service as they check any gRPC server. The overall
 * status ("") and every listed service follow the database: without it no RPC can succeed.
 */
export function registerGrpcHealth(router: ConnectRouter, options: GrpcHealthOptions): void {
  router.service(Health, createHealthImpl(options));
}

export function createHealthImpl(options: GrpcHealthOptions): ServiceImpl<typeof Health> {
  const known = new Set(["", ...options.services]);
  // The service needs no key, so Watch streams are anyone's: they share one state (one ping per
  // interval, however many watch) and their number is capped.
  const health = new SharedHealth(options.ping, options.watchIntervalMs ?? 5_000);
  const maxWatchStreams = options.maxWatchStreams ?? 100;
  let watchStreams = 0;
  const statusOf = (up: boolean) => (up ? Status.SERVING : Status.NOT_SERVING);
  return {
    async check(req) {
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return { status: statusOf(await health.check()) };
    },
    async list() {
      const status = statusOf(await health.check());
      return { statuses: Object.fromEntries([...known].map((name) => [name, { status }])) };
    },
    // Sends the status at once and then each change, until the client goes away (per the spec,
    // an unknown service is SERVICE_UNKNOWN rather than an error, since it may appear later).
    async *watch(req, ctx) {
      if (watchStreams >= maxWatchStreams) {
        throw new ConnectError(`too many open health watches (at most ${maxWatchStreams}); use Check, or retry later`, Code.ResourceExhausted);
      }
      watchStreams++;
      try {
        if (!known.has(req.service)) {
          yield { status: Status.SERVICE_UNKNOWN };
          await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener("abort", () => resolve(), { once: true })));
          return;
        }
        for await (const up of health.changes(ctx.signal)) yield { status: statusOf(up) };
      } finally {
        watchStreams--;
      }
    },
  };
}
