import { Code, ConnectError } from "@connectrpc/connect";

/** An error as the console shows it: next to a field when the server named one. */
export interface ShownError {
  /** The form field it belongs to (proto snake_case name), when the message names one. */
  field?: string;
  message: string;
}

const TITLES: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "Invalid value",
  [Code.Unauthenticated]: "Not signed in",
  [Code.PermissionDenied]: "Not allowed",
  [Code.NotFound]: "Not found",
  [Code.AlreadyExists]: "Already exists",
  [Code.FailedPrecondition]: "Not possible now",
  [Code.ResourceExhausted]: "Too many requests",
  [Code.Unavailable]: "Service unavailable",
  [Code.DeadlineExceeded]: "The server did not answer in time",
  [Code.Internal]: "Server error",
};

/**
 * Turns a failed call into readable text. The server's invalid_argument messages start with the
 * field's proto name ("issuer_url must be an absolute URI"): when that field is one of the form's
 * `fields`, the error goes next to it. A fetch that never reached the server (down, wrong URL, or
 * an origin not in CORS_ORIGINS) is reported as such instead of as "unknown".
 */
export function describeError(err: unknown, fields: readonly string[] = []): ShownError {
  if (!(err instanceof ConnectError)) return { message: err instanceof Error ? err.message : String(err) };
  if (err.code === Code.Unknown && /fetch|network|load failed/i.test(err.rawMessage)) {
    return {
      field: fields.includes("base_url") ? "base_url" : undefined,
      message: "Cannot reach the service: check the base URL, that the service runs, and that CORS_ORIGINS allows this page's origin.",
    };
  }
  const field = fieldOf(err.rawMessage, fields) ?? (err.code === Code.Unauthenticated && fields.includes("api_key") ? "api_key" : undefined);
  const title = TITLES[err.code] ?? "Request failed";
  return { field, message: `${title}: ${err.rawMessage}` };
}

function fieldOf(message: string, fields: readonly string[]): string | undefined {
  const match = /^([a-z][a-z0-9_]*)(\[\d+\])?[ .]/.exec(message);
  return match && fields.includes(match[1]!) ? match[1] : undefined;
}
