import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";
import ipaddr from "ipaddr.js";
import type { HttpRequest } from "./http-router.js";
import { kRequestInfo, requestInfoOf } from "./request-info.js";

/**
 * The client address of a request: the one module that decides it, used by everything that
 * keys on or records an address (the failure limiter, the access log, the audit trail, the IP
 * allowlists, the RPC context).
 *
 * It is the TCP peer, unless the peer is one of the TRUSTED_PROXIES: then X-Forwarded-For is read
 * from the right (each proxy appends the address it received the request from), skipping
 * trusted proxies, and the first address that is not one is the client. Everything left of that
 * entry was written by the client itself and is never believed; a request that arrives straight
 * from an untrusted peer with its own X-Forwarded-For changes nothing. IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports for IPv4) is written as IPv4, and IPv6
 * in RFC 5952 form, so one client has one key.
 *
 * CIDR matching uses ipaddr.js (see src/domain/credentials/ip-allowlist.ts for why); the walk is
 * written here rather than taken from Express's proxy-addr, which reads Node's deprecated
 * `req.connection` and is built for http.IncomingMessage, not HTTP/2's compatibility requests.
 */
export const kClientAddress = createContextKey<string>("unknown", { description: "client address" });

/** Most X-Forwarded-For entries read: more hops than any real chain of proxies has. */
const MAX_FORWARDED_HOPS = 20;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Works out a request's client address; made once from TRUSTED_PROXIES. */
export type ClientAddressResolver = (req: HttpRequest) => string;

/** `trustedProxies`: CIDRs already checked (config.ts). Empty: the TCP peer, always. */
export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressResolver {
  const ranges = trustedProxies.map((c) => ipaddr.parseCIDR(c));
  const trusted = (a: Address) => ranges.some(([network, bits]) => network.kind() === a.kind() && a.match(network, bits));
  return (req) => {
    const peer = peerOf(req);
    if (!peer) return req.socket?.remoteAddress ?? "unknown";
    if (ranges.length === 0 || !trusted(peer.address)) return peer.text;
    let client = peer.address;
    for (const hop of forwardedHops(req).reverse()) {
      const address = parse(hop);
      // Garbage where a proxy should have written an address: believe nothing beyond that proxy.
      if (!address) break;
      client = address;
      if (!trusted(address)) break;
    }
    return show(client);
  };
}

// A socket's peer never changes, and a keep-alive connection or HTTP/2 session carries many
// requests: its address is parsed and written out once (parsing is most of this module's cost
// per request).
interface Peer {
  address: Address;
  /** The address as the service writes it (IPv4, or IPv6 in RFC 5952 form). */
  text: string;
}
const peers = new WeakMap<object, Peer | null>();

function peerOf(req: HttpRequest): Peer | undefined {
  // HTTP/2: the session's socket (req.socket is a proxy made per stream).
  const socket = "stream" in req ? (req.stream.session?.socket ?? req.socket) : req.socket;
  if (!socket) return undefined;
  let peer = peers.get(socket);
  if (peer === undefined) {
    const text = socket.remoteAddress;
    const address = text === undefined ? undefined : parse(text);
    peer = address ? { address, text: show(address) } : null;
    // An undefined remoteAddress (a socket already closed) is not remembered: it says nothing.
    if (text !== undefined) peers.set(socket, peer);
  }
  return peer ?? undefined;
}

/** The request's client address, as the access log worked it out (see above); outside a served request, its normalised TCP peer. */
export function clientAddressOf(req: HttpRequest): string {
  return requestInfoOf(req)?.client ?? peerAddressOf(req);
}

/** The TCP peer alone, normalised. */
export function peerAddressOf(req: HttpRequest): string {
  const text = req.socket?.remoteAddress;
  if (text === undefined) return "unknown";
  return peerOf(req)?.text ?? text;
}

/** The context values every RPC starts with (connectNodeAdapter's contextValues option). */
export function requestContextValues(req: HttpRequest): ContextValues {
  return createContextValues().set(kClientAddress, clientAddressOf(req)).set(kRequestInfo, requestInfoOf(req));
}

function forwardedHops(req: HttpRequest): string[] {
  const header = req.headers["x-forwarded-for"];
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  if (text === "") return [];
  return text.split(",").slice(-MAX_FORWARDED_HOPS).map((s) => s.trim());
}

/** An address as proxies write it: bare, `[v6]`, `[v6]:port` or `v4:port` (Azure's gateways add ports). */
function parse(text: string): Address | undefined {
  let t = text;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(t);
  if (bracketed) t = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(t)) t = t.slice(0, t.lastIndexOf(":"));
  if (!ipaddr.IPv4.isValidFourPartDecimal(t) && !ipaddr.IPv6.isValid(t)) return undefined;
  try {
    return ipaddr.process(t);
  } catch {
    return undefined;
  }
}

function show(a: Address): string {
  return a.kind() === "ipv6" ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}
