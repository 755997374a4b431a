import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialsClient, seconds } from "../support/credentials-client.js";
import { ManualClock } from "../support/manual-clock.js";
import { scimStatus } from "../support/scim-access.js";
import { createScimTenant } from "../support/scim-client.js";
import { startTestServer, STORE_KINDS, type TestServer } from "../support/test-server.js";

/** The identity provider's pace and how long it keeps it up (issue 13: 100/s for 20 s, or shorter with the same shape). */
const RATE_PER_SECOND = 100;
const DURATION_MS = 8_000;
/** When the administrator rotates, and when the new token is pasted into the identity provider. */
const ROTATE_AT_MS = 2_000;
const SWITCH_AT_MS = 5_000;
const OVERLAP_S = 600;

/**
 * Rotation under load: a client shaped like an identity provider's sync (lookups by userName, a
 * create now and then, reads of what it created, discovery) calls /scim/v2 continuously at a
 * fixed pace. Mid-way the administrator rotates with a 10-minute overlap, and a while later the
 * identity provider starts using the new token. Not one request may fail; once the overlap is
 * over (a manual clock) the old token is 401 and the new one works.
 */
describe.each(STORE_KINDS)("rotation under load (%s)", (store) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(new Date("2026-05-01T00:00:00Z"));
    // The per-configuration rate limit stays on, above this load.
    server = await startTestServer({ store, clock, env: { SCIM_RATE_PER_SECOND: "1000", SCIM_RATE_BURST: "1000" } });
  });
  afterAll(() => server.close());

  it(`switches tokens at ${RATE_PER_SECOND}/s with zero failed requests, then the old token is 401 after the overlap`, async () => {
    const tenant = await createScimTenant(server);
    let token = tenant.token;
    let rotatedToken: string | undefined;
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const created: string[] = [];
    let sent = 0;
    let withNew = 0;

    const call = async (n: number) => {
      const presented = token;
      if (presented !== tenant.token) withNew++;
      const headers = { authorization: `Bearer ${presented}`, "content-type": "application/scim+json", "user-agent": "Okta SCIM Client 1.0" };
      let res: Response;
      switch (n % 10) {
        case 0:
          res = await fetch(`${server.baseUrl}/scim/v2/Users`, { method: "POST", headers, body: JSON.stringify({ userName: `load-${n}@example.com`, emails: [{ value: `load-${n}@example.com`, primary: true }] }) });
          if (res.status === 201) created.push(((await res.clone().json()) as { id: string }).id);
          break;
        case 5:
          res = await fetch(`${server.baseUrl}/scim/v2/ServiceProviderConfig`, { headers });
          break;
        default: {
          const id = created[n % Math.max(1, created.length)];
          res = id && n % 2 === 0
            ? await fetch(`${server.baseUrl}/scim/v2/Users/${id}`, { headers })
            : await fetch(`${server.baseUrl}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "load-${n - 1}@example.com"`)}`, { headers });
        }
      }
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 400) failures.push(`${n}: ${res.status} with the ${presented === tenant.token ? "old" : "new"} token`);
    };

    const creds = credentialsClient(server.baseUrl, server.adminKey);
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    const rotation = (async () => {
      await new Promise((r) => setTimeout(r, ROTATE_AT_MS));
      rotatedToken = (await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(OVERLAP_S) })).token;
      await new Promise((r) => setTimeout(r, SWITCH_AT_MS - ROTATE_AT_MS));
      token = rotatedToken;
    })();
    // A fixed schedule (not "as fast as answers come"): request n leaves at n / rate seconds.
    while (performance.now() - started < DURATION_MS) {
      const due = started + (sent * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = call(sent++).catch((err: unknown) => void failures.push(`${sent}: ${String(err)}`));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await rotation;
    await Promise.all([...inFlight]);

    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual((RATE_PER_SECOND * DURATION_MS) / 1000 - 5);
    // Both tokens carried a good share of the load.
    expect(withNew).toBeGreaterThan(sent / 5);
    expect(sent - withNew).toBeGreaterThan(sent / 5);
    expect([...statuses.keys()].sort()).toEqual([200, 201]);

    // The overlap ends (the manual clock): the old token is refused like any expired token.
    clock.advance(OVERLAP_S * 1000 - 1000);
    expect(await scimStatus(server, tenant.token)).toBe(200);
    clock.advance(1000);
    expect(await scimStatus(server, tenant.token)).toBe(401);
    expect(await scimStatus(server, rotatedToken!)).toBe(200);
  }, 60_000);
});
