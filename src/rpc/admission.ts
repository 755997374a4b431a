import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { authOutcomeOf } from "../auth/auth-outcome.js";
import type { CredentialCheck, Refusal } from "../auth/credential-check.js";
import { kClientAddress } from "../http/client-address.js";
import { authorizationOf } from "../http/header-values.js";
import type { HttpRequest } from "../http/http-router.js";
import { kRequestInfo } from "../http/request-info.js";
import { toConnectError } from "./connect-errors.js";
import { kPrincipal } from "./context.js";

/**
 * The RPCs' use of the one credential check, run by the transport from the request headers
 * before any body is read (a caller without a valid key never makes the server buffer a body):
 * the management API key of every call to a service that is not open (health and reflection
 * are), with the principal put into the context for the handlers. Only `Authorization: Bearer
 * <key>` is accepted on the RPCs (the Unleash routes also take a bare key).
 */
export function createRpcAdmission(credentials: CredentialCheck, openServices: ReadonlySet<string> = new Set()) {
  return async (req: HttpRequest, method: DescMethod, values: ContextValues): Promise<ConnectError | undefined> => {
    if (openServices.has(method.parent.typeName)) return undefined;
    const info = values.get(kRequestInfo);
    let result;
    try {
      result = await credentials.managementKey(authorizationOf(req), values.get(kClientAddress), false);
    } catch (err) {
      // The key lookup itself failed: a database outage is unavailable, as in any handler.
      const mapped = toConnectError(err);
      if (!mapped) throw err;
      if (info) info.code = codeToString(mapped.code);
      return mapped;
    }
    if (info) info.auth = { credential: "api_key", outcome: authOutcomeOf(result) };
    if (!result.ok) {
      const error = refusalToConnectError(result.refusal);
      if (info) info.code = codeToString(error.code);
      return error;
    }
    values.set(kPrincipal, result.principal);
    if (info) info.apiKeyId = result.principal.apiKeyId;
    return undefined;
  };
}

function refusalToConnectError(refusal: Refusal): ConnectError {
  if (refusal.reason === "blocked") {
    return new ConnectError(refusal.detail, Code.ResourceExhausted, { "retry-after": String(refusal.retryAfterSeconds) });
  }
  return new ConnectError(refusal.detail, Code.Unauthenticated);
}
