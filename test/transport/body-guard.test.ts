import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BodyGuard } from "../../src/transport/body-guard.js";

/**
 * What a watched request keeps once its exchange is over: finished requests live on in the old
 * generation until a full GC, so anything of the call still attached to one (a closure, the
 * response) stays alive with it (src/transport/body-guard.ts says what that cost). The limits
 * themselves are tested end to end in test/security/request-bodies.test.ts.
 */

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

describe("BodyGuard", () => {
  it("keeps one shared push on every request and lets go of the response once the exchange is over", async () => {
    const guard = new BodyGuard({ progressTimeoutMs: 30_000, completeWithinMs: 60_000, maxInflightBytes: 1 << 20 });
    const seen: http.IncomingMessage[] = [];
    const closed: Promise<void>[] = [];
    const server = http.createServer((req, res) => {
      guard.watch(req, res);
      seen.push(req);
      closed.push(new Promise((r) => res.once("close", () => setImmediate(r))));
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    closers.push(() => server.close());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    for (const body of ["first", "second body"]) expect(await (await fetch(url, { method: "POST", body })).text()).toBe("ok");
    await Promise.all(closed);

    expect(seen).toHaveLength(2);
    expect(Object.hasOwn(seen[0]!, "push")).toBe(true);
    expect(seen[0]!.push).toBe(seen[1]!.push);
    for (const req of seen) {
      const key = Object.getOwnPropertySymbols(req).find((s) => s.description === "body watch")!;
      const record = (req as unknown as Record<symbol, Record<string, unknown>>)[key]!;
      expect(record.res).toBeUndefined();
      expect(record.ended).toBe(true);
      expect(record.progress).toBeUndefined();
      expect(record.deadline).toBeUndefined();
    }
    expect(guard.inflightBytes).toBe(0);
  });
});
