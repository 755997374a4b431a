/**
 * The load generator, in a process of its own so that it does not share an event loop with the
 * server it measures. HTTP/1.1 JSON goes through autocannon (for a duration, or a number of
 * provisioning POSTs each with a new user); gRPC over h2c through a loop of Connect gRPC clients
 * sharing one HTTP/2 session, as a gRPC client would. Reads a LoadSpec as JSON from argv[2] and
 * prints a LoadResult as JSON.
 */
import autocannon from "autocannon";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { OrganizationService } from "../gen/gitpod/v1/organization_pb.js";
import type { LoadResult, LoadSpec } from "./protocol.js";
import { userBody } from "./user-bodies.js";

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const result = spec.kind === "http" ? await runHttp(spec) : spec.kind === "provision" ? await runProvision(spec) : await runGrpc(spec);
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);

async function runHttp(spec: Extract<LoadSpec, { kind: "http" }>): Promise<LoadResult> {
  let nextBody = 0;
  const opts: autocannon.Options = {
    url: spec.url,
    method: spec.method ?? "POST",
    connections: spec.connections,
    timeout: 10,
    headers: spec.headers,
    requests: [
      {
        // Each connection keeps to one body: with distinct bodies, distinct resources per client.
        setupRequest: (req: autocannon.Request, context: object) => {
          const ctx = context as { body?: string };
          ctx.body ??= spec.bodies[nextBody++ % spec.bodies.length];
          return spec.method === "GET" ? req : { ...req, body: ctx.body ?? "" };
        },
      },
    ],
  };
  opts.duration = spec.durationS ?? 5;
  return measure(opts);
}

/** Exactly `users` POSTs (autocannon's `amount`, shared out over the connections), each a new user. */
async function runProvision(spec: Extract<LoadSpec, { kind: "provision" }>): Promise<LoadResult> {
  let next = 0;
  const opts: autocannon.Options = {
    url: spec.url,
    method: "POST",
    connections: spec.connections,
    amount: spec.users,
    // autocannon notices that the last response came only at its next sample tick (every
    // second by default): a round of a few seconds would be timed up to a second long.
    sampleInt: 20,
    // FerretDB scans on every lookup: late in a 10,000-user run one POST can take seconds.
    timeout: 60,
    headers: { "content-type": "application/scim+json", authorization: `Bearer ${spec.token}` },
    requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify(userBody(spec.run, next++)) }) }],
  };
  return measure(opts);
}

async function measure(opts: autocannon.Options): Promise<LoadResult> {
  const started = performance.now();
  const r = await autocannon(opts);
  const seconds = (performance.now() - started) / 1000;
  const requests = r.requests.total;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    failures: r.non2xx,
  };
}

async function runGrpc(spec: Extract<LoadSpec, { kind: "grpc" }>): Promise<LoadResult> {
  const transport = createGrpcTransport({
    baseUrl: spec.baseUrl,
    interceptors: spec.apiKey
      ? [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${spec.apiKey}`);
            return next(req);
          },
        ]
      : [],
  });
  const client = createClient(OrganizationService, transport);
  const call =
    spec.method === "get"
      ? () => client.getSCIMConfiguration({ scimConfigurationId: spec.scimConfigurationId })
      : () => client.listSCIMConfigurations({ pagination: { pageSize: 25 } });
  const latencies: number[] = [];
  let errors = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + spec.durationS * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await call();
        latencies.push(performance.now() - t);
      } catch (err) {
        if (err instanceof ConnectError && err.code !== Code.Unavailable && err.code !== Code.Unknown) failures++;
        else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, p50Ms: pct(50), p99Ms: pct(99), errors, failures };
}
