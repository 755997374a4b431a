import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";
import type { HttpRequest } from "./http-router.js";
import { kRequestInfo, requestInfoOf } from "./request-info.js";

/**
 * The peer address of a call, for per-client limits. It is the TCP peer: behind a proxy that is
 * the proxy, so deployments there should limit at the proxy as well.
 */
export const kClientAddress = createContextKey<string>("unknown", { description: "client address" });

export function clientAddressOf(req: HttpRequest): string {
  return req.socket?.remoteAddress ?? "unknown";
}

/** The context values every RPC starts with (connectNodeAdapter's contextValues option). */
export function requestContextValues(req: HttpRequest): ContextValues {
  return createContextValues().set(kClientAddress, clientAddressOf(req)).set(kRequestInfo, requestInfoOf(req));
}
