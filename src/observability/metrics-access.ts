import { createHash, timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";

/** Who may read /metrics without the secret when METRICS_ALLOW is not set: this host only. */
export const LOOPBACK_CIDRS: readonly string[] = ["127.0.0.0/8", "::1/128"];

/** One entry of an address list: an address and its prefix length (a bare address is /32 or /128). */
export interface Cidr {
  address: string;
  family: "ipv4" | "ipv6";
  prefix: number;
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a bare address; undefined when it is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = "", prefixText, ...rest] = text.trim().split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { address, family: version === 4 ? "ipv4" : "ipv6", prefix };
}

export interface MetricsAccessOptions {
  /** Address ranges whose clients read /metrics without the secret (METRICS_ALLOW; default loopback). */
  allow: readonly string[];
  /** The bearer secret that lets any address read it (METRICS_TOKEN); unset: none does. */
  token?: string | undefined;
}

/**
 * Who may read /metrics: a client whose address is in the allowed ranges, or one that presents
 * the metrics secret as a bearer token. The secret is kept only as its SHA-256 and compared in
 * constant time (hashing first makes both sides the same length, so the length leaks nothing).
 */
export class MetricsAccess {
  private readonly allowed = new BlockList();
  private readonly tokenHash: Buffer | undefined;

  constructor(options: MetricsAccessOptions) {
    for (const entry of options.allow) {
      const cidr = parseCidr(entry);
      if (!cidr) throw new Error(`not an address or CIDR range: ${entry}`);
      this.allowed.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    this.tokenHash = options.token === undefined ? undefined : sha256(options.token);
  }

  /** Whether a secret is configured at all (else a refused address gets 403, not 401). */
  get acceptsToken(): boolean {
    return this.tokenHash !== undefined;
  }

  /** Whether the client address (as the access log has it) is in the allowed ranges. */
  addressAllowed(client: string): boolean {
    // An IPv4 client of a dual-stack listener arrives as ::ffff:a.b.c.d: judge it as IPv4.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(client)?.[1];
    const address = mapped ?? client;
    const family = isIP(address);
    if (family === 0) return false;
    return this.allowed.check(address, family === 4 ? "ipv4" : "ipv6");
  }

  /** Whether `presented` (the bearer token of the request) is the metrics secret. */
  tokenMatches(presented: string): boolean {
    if (this.tokenHash === undefined) return false;
    return timingSafeEqual(sha256(presented), this.tokenHash);
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
