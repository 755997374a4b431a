/**
 * Caps the client's deadline at `maxTimeoutMs` instead of refusing it. connect-es refuses a
 * timeout above its maximum only after it has armed a timer for it, and a `grpc-timeout` of
 * `99999999H` overflows Node's 32-bit timer: a TimeoutOverflowWarning on stderr for every such
 * call. A deadline longer than the server allows is not an error either (the client just waits
 * at most the server's maximum), and `Connect-Timeout-Ms: 0` or a zero `grpc-timeout` must not
 * escape the cap: each becomes the maximum, like any other deadline beyond it.
 */
export function capDeadlineHeaders(header: Headers, maxTimeoutMs: number): void {
  const connect = header.get("connect-timeout-ms");
  if (connect !== null && /^\d{1,10}$/.test(connect)) {
    const ms = Number(connect);
    if (ms === 0 || ms > maxTimeoutMs) header.set("connect-timeout-ms", String(maxTimeoutMs));
  }
  const grpc = header.get("grpc-timeout");
  const match = grpc === null ? null : /^(\d{1,8})([HMSmun])$/.exec(grpc);
  if (match) {
    const ms = Number(match[1]) * GRPC_UNIT_MS[match[2]!]!;
    if (ms === 0 || ms > maxTimeoutMs) header.set("grpc-timeout", `${maxTimeoutMs}m`);
  }
}

const GRPC_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };
