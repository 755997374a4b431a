/** What the console needs to call the service; the API key is a secret. */
export interface Session {
  /** The service's base URL, e.g. https://scim.example.com (the page's own origin by default). */
  baseUrl: string;
  organizationId: string;
  apiKey: string;
  protocol: Protocol;
}

export type Protocol = "connect" | "grpc-web";
export const PROTOCOLS: { value: Protocol; label: string }[] = [
  { value: "connect", label: "Connect (JSON)" },
  { value: "grpc-web", label: "gRPC-web" },
];

const STORAGE_KEY = "scim-console.session";

/**
 * sessionStorage only: the key lives as long as this tab and never reaches localStorage (shared
 * by every tab and kept across restarts) or a URL (history, logs, Referer).
 */
export function loadSession(): Session | undefined {
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (raw === null) return undefined;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.baseUrl !== "string" || typeof s.organizationId !== "string" || typeof s.apiKey !== "string") return undefined;
    // An origin the server no longer lists: sign in again rather than keep calling it.
    if (baseUrlTarget(s.baseUrl).kind === "refused") return undefined;
    return { baseUrl: s.baseUrl, organizationId: s.organizationId, apiKey: s.apiKey, protocol: s.protocol === "grpc-web" ? "grpc-web" : "connect" };
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** The base URL offered at sign-in: always the page's own origin (a link cannot prefill another). */
export function defaultBaseUrl(): string {
  return location.origin;
}

/**
 * Origins besides its own that this console may send the key to: the server lists them in
 * CONSOLE_API_ORIGINS and writes them into the page (the CSP allows exactly these).
 */
export function allowedApiOrigins(): string[] {
  const content = document.querySelector<HTMLMetaElement>('meta[name="console-api-origins"]')?.content ?? "";
  return content
    .split(",")
    .map((o) => o.trim().toLowerCase())
    .filter((o) => o !== "");
}

/** Where a base URL sends the key: this page's origin, another listed one, or one that is refused. */
export type BaseUrlTarget = { kind: "self" } | { kind: "other"; origin: string } | { kind: "refused"; origin: string; message: string };

export function baseUrlTarget(baseUrl: string): BaseUrlTarget {
  let origin: string;
  try {
    origin = new URL(baseUrl).origin;
  } catch {
    return { kind: "self" };
  }
  if (origin === location.origin) return { kind: "self" };
  const allowed = allowedApiOrigins();
  if (allowed.includes(origin)) return { kind: "other", origin };
  const listed = allowed.length === 0 ? "the server lists none in CONSOLE_API_ORIGINS" : `or one the server lists in CONSOLE_API_ORIGINS: ${allowed.join(", ")}`;
  return { kind: "refused", origin, message: `This console sends your key only to its own origin (${location.origin}) ${allowed.length === 0 ? "and " : ""}${listed}.` };
}
