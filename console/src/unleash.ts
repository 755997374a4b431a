import type { Session } from "./session.js";

/** What GET /api/admin/scim-settings answers, or the Unleash-style error's message. */
export type ScimSettings = { ok: true; enabled: boolean; hasToken: boolean } | { ok: false; status: number; message: string };

/**
 * The Unleash-compatible view of the organization's SCIM configuration: what Unleash-style
 * automation (`GET /api/admin/scim-settings`) sees. It is a plain REST route, not an RPC, so it
 * is fetched directly; its errors are `{ id, name, message }`.
 */
export async function fetchScimSettings(session: Session, signal?: AbortSignal): Promise<ScimSettings> {
  const res = await fetch(`${session.baseUrl}/api/admin/scim-settings`, {
    headers: { authorization: `Bearer ${session.apiKey}`, accept: "application/json" },
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(15_000)]) : AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => ({}))) as { enabled?: unknown; hasToken?: unknown; message?: unknown };
  if (res.ok) return { ok: true, enabled: body.enabled === true, hasToken: body.hasToken === true };
  return { ok: false, status: res.status, message: typeof body.message === "string" ? body.message : `HTTP ${res.status}` };
}
