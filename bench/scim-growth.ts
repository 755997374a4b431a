/**
 * Growth of the SCIM operations identity providers repeat most, on the memory store, in process
 * (issue 11): what the algorithm costs at 100,000 against 1,000 (or 10), without FerretDB's scans
 * in the way (FerretDB uses no index, so it cannot show this; index use on MongoDB is checked by
 * test/support/index-coverage.ts instead). Each row goes through the use cases the routes call:
 *
 * - `GET /Users?filter=userName eq "…"`: the query parsed as the route parses it, then
 *   `ScimUsers.list` with the User's groups (what a GET without `attributes` returns), in a
 *   configuration of 1,000 Users and in one of 100,000;
 * - `PATCH /Groups/{id}?excludedAttributes=members` adding one member: `ScimGroups.patch` with an
 *   add-member PatchOp and withMembers=false, on a 10-member and a 100,000-member group (each timed
 *   add is undone, untimed, by a remove, so the group keeps its size);
 * - `GET /Groups/{id}?excludedAttributes=members`: `ScimGroups.get(…, withMembers=false)` on both.
 *
 * Seeding 100,000 Users through POST would take minutes, so they go through the store's port
 * directly, as records shaped exactly as ScimUsers.create makes them (the same body reader, ids,
 * keys), and every answer is checked to be the right one before it is timed.
 */
import { randomUUID } from "node:crypto";
import { AuditTrail } from "../src/domain/audit/audit-trail.js";
import type { AuditContext } from "../src/domain/audit/audit-entry.js";
import { systemClock } from "../src/domain/clock.js";
import { newId } from "../src/domain/ids.js";
import { MemberAccounts } from "../src/domain/provisioning/member-accounts.js";
import { ScimGroups } from "../src/domain/provisioning/scim-groups.js";
import { newUserRecord, ScimUsers } from "../src/domain/provisioning/scim-users.js";
import type { ScimConfigurationRecord } from "../src/domain/records.js";
import { readResourceInput } from "../src/domain/scim/resource-input.js";
import { USER_RESOURCE } from "../src/domain/scim/schema.js";
import { listParamsFromQuery } from "../src/routes/scim/list-params.js";
import { createMemoryStores, type Stores } from "./adapters.js";
import { benchRecord } from "./seed.js";
import { spreadOf, type Spread } from "./spread.js";
import { userBody } from "./user-bodies.js";

export interface ScimGrowthOptions {
  /** Users of the small configuration (1,000). */
  smallUsers: number;
  /** Users of the large configuration, and members of its group (100,000). */
  largeUsers: number;
  /** Members of the small configuration's group (10). */
  smallGroup: number;
  /** Rounds, each timing every operation at both sizes (alternating which size goes first). */
  rounds: number;
  /** Least time per measurement: fast calls are repeated until it has passed. */
  minSampleMs: number;
}

export interface ScimGrowthRow {
  operation: string;
  /** "1,000 users", "10 members", ... */
  smallLabel: string;
  largeLabel: string;
  /** Milliseconds per call at each size, one value per round. */
  smallMs: Spread;
  largeMs: Spread;
  /** Time at the large size / time at the small size, one value per round. */
  ratio: Spread;
}

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/** Users outside the group, added (and removed again) one at a time by the timed PATCHes. */
const OUTSIDERS = 16;
/** Distinct userNames the lookups cycle through, spread over the whole configuration. */
const LOOKUPS = 64;

interface World {
  configuration: ScimConfigurationRecord;
  users: ScimUsers;
  groups: ScimGroups;
  stores: Stores;
  /** userName and id of the Users the lookups ask for. */
  lookups: { userName: string; id: string }[];
  groupId: string;
  groupSize: number;
  outsiders: string[];
}

export async function measureScimGrowth(options: ScimGrowthOptions): Promise<ScimGrowthRow[]> {
  const small = await seed(options.smallUsers, options.smallGroup);
  const large = await seed(options.largeUsers, options.largeUsers);
  for (const w of [small, large]) await verify(w);
  const count = (n: number) => n.toLocaleString("en");
  const rows = [
    { operation: 'GET /Users?filter=userName eq "…"', small: `${count(options.smallUsers)} users`, large: `${count(options.largeUsers)} users`, time: timeLookup },
    { operation: "PATCH /Groups/{id}?excludedAttributes=members, add one member", small: `${count(options.smallGroup)} members`, large: `${count(options.largeUsers)} members`, time: timeAdd },
    { operation: "GET /Groups/{id}?excludedAttributes=members", small: `${count(options.smallGroup)} members`, large: `${count(options.largeUsers)} members`, time: timeGroupGet },
  ];
  const times = rows.map(() => ({ small: [] as number[], large: [] as number[] }));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? (["small", "large"] as const) : (["large", "small"] as const);
    for (const size of order) {
      for (const [i, row] of rows.entries()) times[i]![size].push(await row.time(size === "small" ? small : large, options.minSampleMs));
    }
  }
  return rows.map((row, i) => {
    const t = times[i]!;
    return { operation: row.operation, smallLabel: row.small, largeLabel: row.large, smallMs: spreadOf(t.small), largeMs: spreadOf(t.large), ratio: spreadOf(t.large.map((l, r) => l / t.small[r]!)) };
  });
}

/** Who the timed changes are made by, in the audit trail. */
const BENCH_AUDIT: AuditContext = { actor: { kind: "scim_configuration", id: "bench" }, requestId: "bench", clientAddress: "127.0.0.1" };

/** A configuration of `userCount` Users (plus OUTSIDERS) and a group of `groupSize` of them. */
async function seed(userCount: number, groupSize: number): Promise<World> {
  const stores = createMemoryStores();
  const configuration = benchRecord(randomUUID(), new Date());
  await stores.scimConfigurations.create(configuration);
  const clock = systemClock;
  // The audit trail as the service runs it (memory store): every timed change writes its entry.
  const audit = new AuditTrail({ store: stores.audit, clock, onLost: () => undefined });
  const deps = { users: stores.scimUsers, groups: stores.scimGroups, memberships: stores.memberships, clock, audit };
  const users = new ScimUsers({ ...deps, accounts: new MemberAccounts(stores.members, stores.scimUsers, clock) });
  const groups = new ScimGroups(deps);
  const run = randomUUID().slice(0, 8);
  const ids: string[] = [];
  const userNames: string[] = [];
  for (let i = 0; i < userCount + OUTSIDERS; i++) {
    // As ScimUsers.create builds it (its member record is left out: no timed operation reads members).
    const { attributes } = readResourceInput(USER_RESOURCE, userBody(run, i));
    const record = newUserRecord(configuration, attributes, newId(clock.now()), clock.now());
    await stores.scimUsers.create(record);
    ids.push(record.id);
    userNames.push(String(attributes["userName"]));
  }
  const group = await groups.create(configuration, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `Everyone ${run}` }, BENCH_AUDIT);
  await stores.memberships.add(configuration.id, group.record.id, ids.slice(0, groupSize), clock.now());
  const step = Math.max(1, Math.floor(userCount / LOOKUPS));
  const lookups = Array.from({ length: Math.min(LOOKUPS, userCount) }, (_, k) => ({ userName: userNames[k * step]!, id: ids[k * step]! }));
  return { configuration, users, groups, stores, lookups, groupId: group.record.id, groupSize, outsiders: ids.slice(userCount) };
}

const lookupQuery = (userName: string) => listParamsFromQuery(USER_RESOURCE, new URLSearchParams({ filter: `userName eq "${userName}"` }), "bench/Users").query;
const addPatch = (id: string) => ({ schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] });
const removePatch = (id: string) => ({ schemas: [PATCH_OP], Operations: [{ op: "remove", path: `members[value eq "${id}"]` }] });

/** A fast wrong answer proves nothing: every timed operation is checked once first. */
async function verify(w: World): Promise<void> {
  for (const { userName, id } of w.lookups) {
    // Upper case: userName matches case-insensitively, as identity providers rely on.
    const page = await w.users.list(w.configuration, lookupQuery(userName.toUpperCase()), true);
    if (page.totalResults !== 1 || page.items[0]?.record.id !== id) throw new Error(`growth: the lookup of ${userName} did not return its User (${page.totalResults} results)`);
  }
  const members = async () => w.stores.memberships.membersOf(w.configuration.id, w.groupId);
  if ((await members()).length !== w.groupSize) throw new Error(`growth: the group does not have ${w.groupSize} members`);
  const outsider = w.outsiders[0]!;
  const added = await w.groups.patch(w.configuration, w.groupId, addPatch(outsider), undefined, false, BENCH_AUDIT);
  const after = await members();
  if (added.members !== undefined || after.length !== w.groupSize + 1 || !after.includes(outsider)) throw new Error("growth: adding one member did not add exactly that member");
  await w.groups.patch(w.configuration, w.groupId, removePatch(outsider), undefined, false, BENCH_AUDIT);
  if ((await members()).length !== w.groupSize) throw new Error("growth: removing the added member did not restore the group");
  const got = await w.groups.get(w.configuration, w.groupId, false);
  if (got.record.id !== w.groupId || got.members !== undefined) throw new Error("growth: GET of the group without members returned something else");
}

function timeLookup(w: World, minSampleMs: number): Promise<number> {
  return timeCalls(minSampleMs, async (i) => {
    const { userName } = w.lookups[i % w.lookups.length]!;
    await w.users.list(w.configuration, lookupQuery(userName), true);
  });
}

function timeAdd(w: World, minSampleMs: number): Promise<number> {
  const outsider = (i: number) => w.outsiders[i % w.outsiders.length]!;
  return timeCalls(
    minSampleMs,
    async (i) => void (await w.groups.patch(w.configuration, w.groupId, addPatch(outsider(i)), undefined, false, BENCH_AUDIT)),
    async (i) => void (await w.groups.patch(w.configuration, w.groupId, removePatch(outsider(i)), undefined, false, BENCH_AUDIT)),
  );
}

function timeGroupGet(w: World, minSampleMs: number): Promise<number> {
  return timeCalls(minSampleMs, async () => void (await w.groups.get(w.configuration, w.groupId, false)));
}

/** Milliseconds per call of `op`, repeated until `minSampleMs` of wall time; `undo` (untimed) after each. */
async function timeCalls(minSampleMs: number, op: (i: number) => Promise<void>, undo?: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 5; i++) {
    await op(i);
    await undo?.(i);
  }
  let timed = 0;
  let calls = 0;
  const started = performance.now();
  while (calls < 5 || performance.now() - started < minSampleMs) {
    const t = performance.now();
    await op(calls);
    timed += performance.now() - t;
    await undo?.(calls);
    calls++;
  }
  return timed / calls;
}
