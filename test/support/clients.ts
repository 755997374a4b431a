import type { Transport } from "@connectrpc/connect";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";

export type Protocol = "connect-json" | "connect-binary" | "grpc" | "grpc-web";
export const PROTOCOLS: Protocol[] = ["connect-json", "connect-binary", "grpc", "grpc-web"];

/** A transport of the given protocol; gRPC goes over h2c, the others over HTTP/1.1. */
export function transportFor(protocol: Protocol, baseUrl: string, apiKey?: string): Transport {
  const interceptors = apiKey
    ? [
        (next: Parameters<import("@connectrpc/connect").Interceptor>[0]) => async (req: Parameters<typeof next>[0]) => {
          req.header.set("authorization", `Bearer ${apiKey}`);
          return next(req);
        },
      ]
    : [];
  switch (protocol) {
    case "connect-json":
      return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, interceptors });
    case "connect-binary":
      return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors, idleConnectionTimeoutMs: 200 });
    case "grpc":
      return createGrpcTransport({ baseUrl, interceptors, idleConnectionTimeoutMs: 200 });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors });
  }
}

export function clientFor(protocol: Protocol, baseUrl: string, apiKey?: string): Client<typeof OrganizationService> {
  return createClient(OrganizationService, transportFor(protocol, baseUrl, apiKey));
}

/** A Connect JSON POST the way the official SDKs send it (no Connect-Protocol-Version header). */
export async function postJson(baseUrl: string, method: string, body: unknown, apiKey?: string, query = ""): Promise<{ status: number; json: any }> {
  const res = await fetch(`${baseUrl}/gitpod.v1.OrganizationService/${method}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? undefined : JSON.parse(text) };
}
