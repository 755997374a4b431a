/** What the bench's child processes tell the orchestrator, one JSON line on stdout each. */

export const READY_PREFIX = "BENCH_READY ";

export interface OursReady {
  /** The service's one port (HTTP/1.1 and h2c). */
  port: number;
}

/** The bare provisioning baseline's one port (HTTP/1.1). */
export interface BareProvisioningReady {
  port: number;
}

export interface BaselineReady {
  /** HTTP/1.1: the bare Connect handler and the bare /verify route. */
  h1Port: number;
  /** Cleartext HTTP/2 (prior knowledge): the bare Connect handler for gRPC. */
  h2Port: number;
}

/** One load run's result, as the load worker prints it. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Transport errors and timeouts. */
  errors: number;
  /** Answers that were not a success (HTTP status outside 2xx, or a gRPC error). */
  failures: number;
}

export type LoadSpec =
  | {
      kind: "http";
      url: string;
      /** Defaults to POST. */
      method?: "GET" | "POST";
      headers: Record<string, string>;
      /** Request bodies; with several, each connection keeps to one of them (distinct resources). */
      bodies: string[];
      connections: number;
      durationS?: number;
    }
  | {
      /** POST /scim/v2/Users of `users` new users (user-bodies.ts), each userName once. */
      kind: "provision";
      url: string;
      /** The SCIM bearer token. */
      token: string;
      connections: number;
      users: number;
      /** Tells this load's users apart from every other load's (rounds, sides, warm-up). */
      run: string;
    }
  | {
      kind: "grpc";
      baseUrl: string;
      apiKey?: string;
      method: "get" | "list";
      scimConfigurationId: string;
      concurrency: number;
      durationS: number;
    };

export function printReady(value: object): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(value)}\n`);
}
