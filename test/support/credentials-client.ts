import { createClient, type Client } from "@connectrpc/connect";
import { SCIMCredentialService } from "../../gen/scimservice/v1/scim_credentials_pb.js";
import { transportFor, type Protocol } from "./clients.js";

export type CredentialsClient = Client<typeof SCIMCredentialService>;

/** scimservice.v1.SCIMCredentialService over the given protocol (Connect JSON by default). */
export function credentialsClient(baseUrl: string, apiKey: string, protocol: Protocol = "connect-json"): CredentialsClient {
  return createClient(SCIMCredentialService, transportFor(protocol, baseUrl, apiKey));
}

/** A protobuf Duration of whole seconds. */
export const seconds = (n: number) => ({ seconds: BigInt(n), nanos: 0 });

/** The Connect code of a failed call ("OK" when it succeeded). */
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (err) {
    const { Code, ConnectError } = await import("@connectrpc/connect");
    if (err instanceof ConnectError) return Code[err.code];
    throw err;
  }
}

/** The message of a failed call. */
export async function messageOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "";
  } catch (err) {
    return (err as Error).message;
  }
}
