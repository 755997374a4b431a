import { randomUUID } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import { hashSecret } from "../../src/domain/secret-token.js";
import type { ScimConfigurationRecord } from "../../src/domain/records.js";
import { clientFor, PROTOCOLS } from "../support/clients.js";
import { openTestStores, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Soak: 32 clients on 4 organizations (every protocol) create, update, regenerate and delete SCIM
 * configurations against FerretDB for 60 s. Each client owns its configurations, so "the last
 * token returned" is well defined; afterwards the database must agree with what the clients saw.
 */
const SOAK_MS = 60_000;
const CLIENTS = 32;
const ORGANIZATIONS = 4;
const MAX_OWNED = 4;

interface Owned {
  /** Every token issued for it, oldest first; the last one must be the only valid one. */
  tokens: string[];
  /** Latest updatedAt a response carried (ms). */
  updatedAtMs: number;
}

interface ClientState {
  organizationId: string;
  owned: Map<string, Owned>;
  deleted: Map<string, Owned>;
  ops: Record<string, number>;
  /** Call durations (ms) per operation, for the report. */
  latencies: Record<string, number[]>;
  /** Invariant breaks seen while running (updatedAt going back, failed calls). */
  problems: string[];
}

let server: TestServer;

beforeAll(async () => {
  // FerretDB (SQLite) serializes writes: with 32 writers its slowest calls take seconds (the
  // test prints the latencies). The soak is about invariants, so a call gets 30 s here rather
  // than fail at the default 5 s and leave its outcome unknown; timeouts have their own test.
  server = await startTestServer({ stores: await openTestStores("mongodb", 30_000) });
});
afterAll(async () => {
  await server?.close();
});

describe("soak (FerretDB)", () => {
  it(`32 clients for ${SOAK_MS / 1000} s: nothing lost, one valid token each, no repeats, updatedAt monotonic`, { timeout: SOAK_MS + 180_000 }, async () => {
    const orgs = await Promise.all(
      Array.from({ length: ORGANIZATIONS }, async () => {
        const organizationId = randomUUID();
        return { organizationId, key: await server.key("admin", organizationId) };
      }),
    );
    const states: ClientState[] = [];
    const deadline = Date.now() + SOAK_MS;
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => {
        const org = orgs[i % ORGANIZATIONS]!;
        const state: ClientState = { organizationId: org.organizationId, owned: new Map(), deleted: new Map(), ops: {}, latencies: {}, problems: [] };
        states.push(state);
        return runClient(clientFor(PROTOCOLS[i % PROTOCOLS.length]!, server.baseUrl, org.key), state, deadline, i);
      }),
    );

    const problems = states.flatMap((s) => s.problems);
    expect(problems.slice(0, 10)).toEqual([]);
    const totals: Record<string, number> = {};
    for (const s of states) for (const [op, n] of Object.entries(s.ops)) totals[op] = (totals[op] ?? 0) + n;
    const latency: Record<string, string> = {};
    for (const op of Object.keys(totals)) {
      const all = states.flatMap((s) => s.latencies[op] ?? []).sort((a, b) => a - b);
      latency[op] = `p50 ${all[Math.floor(all.length / 2)]?.toFixed(0)} ms, p99 ${all[Math.floor(all.length * 0.99)]?.toFixed(0)} ms, max ${all.at(-1)?.toFixed(0)} ms`;
    }
    console.log(`soak operations: ${JSON.stringify(totals)}; latency: ${JSON.stringify(latency)}`);
    for (const op of ["create", "update", "regenerate", "delete"]) expect(totals[op] ?? 0).toBeGreaterThan(20);

    // The database, read directly: exactly the configurations created and not deleted.
    const stored = new Map<string, ScimConfigurationRecord>();
    for (const org of orgs) for (const r of await listAll(org.organizationId)) stored.set(r.id, r);
    const alive = new Map<string, Owned>();
    for (const s of states) for (const [id, o] of s.owned) alive.set(id, o);
    expect([...stored.keys()].sort()).toEqual([...alive.keys()].sort());

    const hashes = [...stored.values()].map((r) => r.tokenHash);
    expect(new Set(hashes).size).toBe(hashes.length);
    const issued = states.flatMap((s) => [...s.owned.values(), ...s.deleted.values()].flatMap((o) => o.tokens));
    expect(new Set(issued).size).toBe(issued.length);

    for (const [id, owned] of alive) {
      const record = stored.get(id)!;
      expect(record.tokenHash, `configuration ${id} holds the last token returned`).toBe(hashSecret(owned.tokens.at(-1)!));
      expect(record.updatedAt.getTime(), `updatedAt of ${id} not behind what a client saw`).toBeGreaterThanOrEqual(owned.updatedAtMs);
    }

    // Every token ever issued: the last of each live configuration is its current token (valid,
    // or refused only as "disabled" when a client last disabled it); every other one is unknown.
    const current = new Set([...alive.values()].map((o) => o.tokens.at(-1)!));
    const verdicts = await mapLimit(issued, 16, async (token) => {
      const v = await server.app.scimTokens.verify(token);
      return { token, isCurrent: v.ok || v.reason === "disabled" };
    });
    const wrong = verdicts.filter((v) => v.isCurrent !== current.has(v.token));
    expect(wrong.length, `${wrong.length} of ${issued.length} tokens verify wrongly`).toBe(0);
  });
});

async function runClient(client: Client<typeof OrganizationService>, state: ClientState, deadline: number, seed: number): Promise<void> {
  let n = seed;
  const random = () => {
    // A small deterministic generator per client, so a failing run can be replayed.
    n = (n * 1103515245 + 12345) % 2147483648;
    return n / 2147483648;
  };
  let started = 0;
  const count = (op: string) => {
    state.ops[op] = (state.ops[op] ?? 0) + 1;
    (state.latencies[op] ??= []).push(performance.now() - started);
  };
  const seen = (id: string, owned: Owned, updatedAt: Date) => {
    if (updatedAt.getTime() < owned.updatedAtMs) state.problems.push(`updatedAt of ${id} moved back from ${owned.updatedAtMs} to ${updatedAt.getTime()}`);
    owned.updatedAtMs = Math.max(owned.updatedAtMs, updatedAt.getTime());
  };
  const pick = () => [...state.owned.keys()][Math.floor(random() * state.owned.size)]!;

  while (Date.now() < deadline) {
    const roll = random();
    started = performance.now();
    try {
      if (state.owned.size === 0 || (roll < 0.25 && state.owned.size < MAX_OWNED)) {
        const sso = await client.createSSOConfiguration({
          organizationId: state.organizationId,
          clientId: "soak",
          clientSecret: "soak-secret",
          issuerUrl: "https://idp.example.com",
        });
        const created = await client.createSCIMConfiguration({
          organizationId: state.organizationId,
          ssoConfigurationId: sso.ssoConfiguration!.id,
          name: `soak ${seed}`,
        });
        const c = created.scimConfiguration!;
        state.owned.set(c.id, { tokens: [created.token], updatedAtMs: timestampDate(c.updatedAt!).getTime() });
        count("create");
      } else if (roll < 0.55) {
        const id = pick();
        const res = await client.updateSCIMConfiguration({ scimConfigurationId: id, name: `soak ${seed} ${Math.floor(random() * 1000)}`, enabled: random() < 0.8 });
        seen(id, state.owned.get(id)!, timestampDate(res.scimConfiguration!.updatedAt!));
        count("update");
      } else if (roll < 0.85) {
        const id = pick();
        const res = await client.regenerateSCIMToken({ scimConfigurationId: id });
        state.owned.get(id)!.tokens.push(res.token);
        count("regenerate");
      } else {
        const id = pick();
        await client.deleteSCIMConfiguration({ scimConfigurationId: id });
        state.deleted.set(id, state.owned.get(id)!);
        state.owned.delete(id);
        count("delete");
      }
    } catch (err) {
      state.problems.push(`client ${seed}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
  }
}

async function listAll(organizationId: string): Promise<ScimConfigurationRecord[]> {
  const all: ScimConfigurationRecord[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await server.app.stores.scimConfigurations.list(organizationId, { limit: 100, afterId });
    all.push(...page.items);
    if (page.nextToken === "" || page.items.length === 0) return all;
    afterId = page.items.at(-1)!.id;
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
