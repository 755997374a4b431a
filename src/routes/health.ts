import type { Stores } from "../domain/ports.js";
import { sendJson, type HttpRouter } from "../http/http-router.js";

/** Liveness (the process answers) and readiness (the database answers too). */
export function registerHealthRoutes(router: HttpRouter, stores: Stores): void {
  router.add("GET", "/healthz", (_req, res) => sendJson(res, 200, { status: "ok" }));
  router.add("GET", "/readyz", async (_req, res) => {
    const ready = await stores.ping();
    sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "database unreachable", store: stores.kind });
  });
}
