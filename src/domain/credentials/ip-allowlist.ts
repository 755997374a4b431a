import ipaddr from "ipaddr.js";
import { LRUCache } from "lru-cache";
import { ValidationError } from "../validation-error.js";

/**
 * IP allowlists: CIDR lists (IPv4 and IPv6) a configuration's credentials are accepted from.
 *
 * Parsing and matching use `ipaddr.js` (the address library under Express's proxy-addr, tens of
 * millions of downloads a week, no dependencies): IPv6 has enough forms (compressed, mixed
 * `::ffff:1.2.3.4`, zone ids) that a hand-written parser is where such checks go wrong. It is
 * held to four-part decimal IPv4 here, because it otherwise also reads `127.1` or `0x7f.0.0.1`
 * as addresses, forms no administrator means in an allowlist.
 */

/** Most entries in one allowlist. */
export const MAX_ALLOWLIST_ENTRIES = 100;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Checks an allowlist and returns it normalised: canonical address text (RFC 5952 for IPv6), a
 * bare address as /32 or /128, no duplicates. A bad entry is a ValidationError naming the entry
 * and the rule.
 */
export function parseAllowlist(field: string, entries: readonly string[]): string[] {
  if (entries.length > MAX_ALLOWLIST_ENTRIES) throw new ValidationError(field, `must have at most ${MAX_ALLOWLIST_ENTRIES} entries (got ${entries.length})`);
  const out: string[] = [];
  entries.forEach((entry, i) => {
    const text = normalizeCidr(entry, (rule) => new ValidationError(`${field}[${i}]`, `${JSON.stringify(entry.slice(0, 80))} ${rule}`));
    if (!out.includes(text)) out.push(text);
  });
  return out;
}

/** One CIDR (or bare address) in canonical form, or the error `fail` makes of the broken rule. */
export function normalizeCidr(entry: string, fail: (rule: string) => Error): string {
  const text = entry.trim();
  const [address, bits, ...rest] = text.split("/");
  if (rest.length > 0 || address === undefined || address === "") throw fail("is not a CIDR such as 203.0.113.0/24 or 2001:db8::/32");
  if (address.includes("%")) throw fail("must not carry an IPv6 zone id");
  let parsed: Address;
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) parsed = ipaddr.IPv4.parse(address);
  else if (ipaddr.IPv6.isValid(address)) parsed = ipaddr.IPv6.parse(address);
  else throw fail("is not an IPv4 address in four-part decimal or an IPv6 address");
  const max = parsed.kind() === "ipv4" ? 32 : 128;
  let prefix = max;
  if (bits !== undefined) {
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) throw fail(`has a prefix length that is not 0 to ${max}`);
    prefix = Number(bits);
  }
  const network = networkOf(parsed, prefix);
  const shown = (a: Address) => (a.kind() === "ipv6" ? (a as ipaddr.IPv6).toRFC5952String() : a.toString());
  if (shown(network) !== shown(parsed)) throw fail(`has host bits set; the network is ${shown(network)}/${prefix}`);
  return `${shown(network)}/${prefix}`;
}

function networkOf(address: Address, prefix: number): Address {
  const bytes = address.toByteArray().map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return ipaddr.fromByteArray(bytes);
}

/**
 * A client address as the allowlist compares it: IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a
 * dual-stack socket reports for an IPv4 client) as the IPv4 address. Undefined for text that is
 * no address.
 */
export function parseClientAddress(text: string): Address | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  try {
    return ipaddr.process(text);
  } catch {
    return undefined;
  }
}

/**
 * An address as numbers, for matching without ipaddr.js's per-call parsing and object methods:
 * IPv4 as one 32-bit value, IPv6 as eight 16-bit parts.
 */
type Numeric = { v4: number } | { v6: number[] };
/** A CIDR as numbers: the network's value and the prefix length. */
type NumericRange = { v4: number; bits: number } | { v6: number[]; bits: number };

const numericOf = (a: Address): Numeric => (a.kind() === "ipv4" ? { v4: (a as ipaddr.IPv4).octets.reduce((n, o) => n * 256 + o, 0) } : { v6: (a as ipaddr.IPv6).parts });

function inRange(a: Numeric, r: NumericRange): boolean {
  if ("v4" in a) {
    if (!("v4" in r)) return false;
    // Compare the top `bits` bits; shifts work on 32-bit values, so a /0 is handled apart.
    return r.bits === 0 || a.v4 >>> (32 - r.bits) === r.v4 >>> (32 - r.bits);
  }
  if (!("v6" in r)) return false;
  let left = r.bits;
  for (let i = 0; i < 8 && left > 0; i++, left -= 16) {
    const keep = Math.min(16, left);
    if (a.v6[i]! >>> (16 - keep) !== r.v6[i]! >>> (16 - keep)) return false;
  }
  return true;
}

// Lists by their text and client addresses by theirs, each parsed once per process (bounded):
// verification runs on every SCIM call, a configuration's list changes rarely, and an identity
// provider calls from a handful of addresses. Parsing both per call was most of the list's cost.
const parsedLists = new LRUCache<string, NumericRange[]>({ max: 10_000 });
// And by the list itself where a store hands out the same (frozen) array each time: no key to build.
const listsSeen = new WeakMap<readonly string[], NumericRange[]>();
const NOT_AN_ADDRESS = "not an address";
const parsedClients = new LRUCache<string, Numeric | typeof NOT_AN_ADDRESS>({ max: 10_000 });

/** Whether a stored (normalised) allowlist admits the client address; an empty list admits any. */
export function allowlistAdmits(cidrs: readonly string[] | undefined, clientAddress: string): boolean {
  if (cidrs === undefined || cidrs.length === 0) return true;
  let address = parsedClients.get(clientAddress);
  if (address === undefined) {
    const parsed = parseClientAddress(clientAddress);
    parsedClients.set(clientAddress, (address = parsed ? numericOf(parsed) : NOT_AN_ADDRESS));
  }
  if (address === NOT_AN_ADDRESS) return false;
  let ranges = listsSeen.get(cidrs);
  if (!ranges) {
    const key = cidrs.join(",");
    ranges = parsedLists.get(key);
    if (!ranges) {
      ranges = cidrs.map((c) => {
        const [network, bits] = ipaddr.parseCIDR(c);
        return { ...numericOf(network), bits };
      });
      parsedLists.set(key, ranges);
    }
    if (Object.isFrozen(cidrs)) listsSeen.set(cidrs, ranges);
  }
  for (const range of ranges) if (inRange(address, range)) return true;
  return false;
}
