import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";

export interface GrpcHealthOptions {
  /** Services whose health is the database's: each is SERVING exactly when `ping` answers true. */
  services: readonly string[];
  /** Asks the database; resolves false (never rejects) when it is unreachable. */
  ping: () => Promise<boolean>;
  /** How often an open Watch stream asks the database again. */
  watchIntervalMs?: number;
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
  const intervalMs = options.watchIntervalMs ?? 5_000;
  const current = async () => ((await options.ping()) ? Status.SERVING : Status.NOT_SERVING);
  return {
    async check(req) {
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return { status: await current() };
    },
    async list() {
      const status = await current();
      return { statuses: Object.fromEntries([...known].map((name) => [name, { status }])) };
    },
    // Sends the status at once and then each change, until the client goes away (per the spec,
    // an unknown service is SERVICE_UNKNOWN rather than an error, since it may appear later).
    async *watch(req, ctx) {
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const status = known.has(req.service) ? await current() : Status.SERVICE_UNKNOWN;
        if (status !== last) {
          last = status;
          yield { status };
        }
        await sleep(intervalMs, ctx.signal);
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
