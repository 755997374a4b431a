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

/**
 * The base URL to offer at sign-in: `?api=` when the page was opened with one (a console hosted
 * elsewhere points at its service this way), else the page's own origin.
 */
export function defaultBaseUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get("api");
  return fromQuery ?? location.origin;
}
