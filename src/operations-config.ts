import { MIN_OPERATOR_KEY_LENGTH } from "./domain/api-keys.js";
import { LOOPBACK_CIDRS, parseCidr } from "./observability/metrics-access.js";

/** Settings for running the service as a fleet (issue 13): who reads /metrics, how many replicas share a rate. */
export interface OperationsSettings {
  /** Address ranges that read /metrics without the secret (METRICS_ALLOW; default loopback; `none`: no address). */
  metricsAllow: string[];
  /** Bearer secret that reads /metrics from any address (METRICS_TOKEN); unset: none. Kept in memory only. */
  metricsToken: string | undefined;
  /**
   * Replicas behind the load balancer (SCIM_RATE_REPLICAS): each enforces 1/N of
   * SCIM_RATE_PER_SECOND and SCIM_RATE_BURST, so that together they allow the configured total.
   */
  scimRateReplicas: number;
  /**
   * Database command metrics from the driver's command monitoring (DB_COMMAND_METRICS, off by
   * default): the driver's per-command work for them costs about 60 µs of CPU per small find and
   * 150 µs per find of 25 documents (measured), where the always-on db_operation_* metrics time
   * each store operation for two clock reads.
   */
  dbCommandMetrics: boolean;
}

type ReadInt = (name: string, fallback: number, min: number, max: number) => number;

/** Reads the operations block of the environment; bad values are added to `problems`, named. */
export function readOperationsSettings(env: NodeJS.ProcessEnv, int: ReadInt, problems: string[], scimRateBurst: number): OperationsSettings {
  const scimRateReplicas = int("SCIM_RATE_REPLICAS", 1, 1, 1000);
  // A share below one request could never be spent: every call would be refused.
  if (scimRateBurst / scimRateReplicas < 1) {
    problems.push(`SCIM_RATE_BURST (${scimRateBurst}) must be at least SCIM_RATE_REPLICAS (${scimRateReplicas}): each replica's share of the burst must hold one request`);
  }

  let metricsAllow = [...LOOPBACK_CIDRS];
  const allowText = env.METRICS_ALLOW?.trim();
  if (allowText === "none") metricsAllow = [];
  else if (allowText) {
    metricsAllow = allowText
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    for (const entry of metricsAllow) {
      if (!parseCidr(entry)) problems.push(`METRICS_ALLOW entries must be addresses or CIDR ranges like 10.0.0.0/8 or fd00::/8, or the whole value "none" (got "${entry}")`);
    }
  }

  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && (metricsToken.length < MIN_OPERATOR_KEY_LENGTH || metricsToken.length > 512 || /\s/.test(metricsToken))) {
    // The value itself is never repeated in the message: it is a secret.
    problems.push(`METRICS_TOKEN must be ${MIN_OPERATOR_KEY_LENGTH} to 512 characters without white space (e.g. openssl rand -hex 32)`);
  }
  const commandMetrics = env.DB_COMMAND_METRICS || "off";
  if (commandMetrics !== "on" && commandMetrics !== "off") problems.push(`DB_COMMAND_METRICS must be on or off (got "${commandMetrics}")`);
  return { metricsAllow, metricsToken, scimRateReplicas, dbCommandMetrics: commandMetrics === "on" };
}

/** Each replica's share of the per-configuration SCIM rate limit. */
export function scimRateShare(settings: { scimRatePerSecond: number; scimRateBurst: number; operations: OperationsSettings }): { ratePerSecond: number; burst: number } {
  const n = settings.operations.scimRateReplicas;
  return { ratePerSecond: settings.scimRatePerSecond / n, burst: settings.scimRateBurst / n };
}
