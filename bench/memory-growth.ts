/**
 * Growth of a List page on the memory store, in process: the time of `list(organization,
 * {limit: 25, afterId})` for the first page and for a page 90% deep, in an organization of 1,000
 * configurations and in one of 100,000. A store that pages through an ordered index answers both
 * in about the same time at either size; one that scans and sorts on every call grows with n.
 * FerretDB cannot show this (v1.24 scans on every query, so both sides of any ratio scan); the
 * memory store is where the algorithm is visible, and index use on MongoDB is checked by
 * test/support/index-coverage.ts instead.
 */
import { randomUUID } from "node:crypto";
import { createMemoryStores, type Stores } from "./adapters.js";
import { benchRecord } from "./seed.js";
import { spreadOf, type Spread } from "./spread.js";

export interface GrowthOptions {
  /** Configurations of the reference organization. */
  smallSize: number;
  /** Configurations of the large organization. */
  largeSize: number;
  /** Rounds, each timing every page at both sizes (alternating which size goes first). */
  rounds: number;
  /** Least wall time per measurement: fast pages are repeated until it has passed. */
  minSampleMs: number;
}

export interface GrowthRow {
  page: "first page" | "page 90% deep";
  /** Milliseconds per list call at each size, one value per round. */
  smallMs: Spread;
  largeMs: Spread;
  /** Time at the large size / time at the small size, one value per round. */
  ratio: Spread;
}

const PAGE_SIZE = 25;

interface Organization {
  stores: Stores;
  organizationId: string;
  /** Ids in page order. */
  ids: string[];
}

export async function measureMemoryGrowth(options: GrowthOptions): Promise<GrowthRow[]> {
  const small = await seed(options.smallSize);
  const large = await seed(options.largeSize);
  const pages = [
    { page: "first page" as const, afterIdOf: (_o: Organization) => undefined },
    { page: "page 90% deep" as const, afterIdOf: (o: Organization) => o.ids[Math.floor(o.ids.length * 0.9)] },
  ];
  const times = pages.map(() => ({ small: [] as number[], large: [] as number[] }));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? (["small", "large"] as const) : (["large", "small"] as const);
    for (const size of order) {
      const org = size === "small" ? small : large;
      for (const [i, p] of pages.entries()) times[i]![size].push(await timePage(org, p.afterIdOf(org), options.minSampleMs));
    }
  }
  await small.stores.close();
  await large.stores.close();
  return pages.map((p, i) => {
    const t = times[i]!;
    return { page: p.page, smallMs: spreadOf(t.small), largeMs: spreadOf(t.large), ratio: spreadOf(t.large.map((l, r) => l / t.small[r]!)) };
  });
}

async function seed(size: number): Promise<Organization> {
  const stores = createMemoryStores();
  const organizationId = randomUUID();
  const ids: string[] = [];
  // In creation order, as a real organization's configurations arrive (ids are time-ordered).
  for (let i = 0; i < size; i++) {
    const r = benchRecord(organizationId, new Date());
    await stores.scimConfigurations.create(r);
    ids.push(r.id);
  }
  ids.sort();
  return { stores, organizationId, ids };
}

/** Milliseconds per call, after checking that the page is the right one (a fast wrong answer proves nothing). */
async function timePage(org: Organization, afterId: string | undefined, minSampleMs: number): Promise<number> {
  const list = () => org.stores.scimConfigurations.list(org.organizationId, { limit: PAGE_SIZE, afterId });
  const page = await list();
  const start = afterId === undefined ? 0 : org.ids.indexOf(afterId) + 1;
  const expected = org.ids.slice(start, start + PAGE_SIZE);
  if (page.items.map((r) => r.id).join() !== expected.join()) throw new Error(`memory store list after ${afterId ?? "(start)"} returned the wrong page`);
  for (let i = 0; i < 3; i++) await list(); // warm-up
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (calls < 3 || elapsed < minSampleMs) {
    await list();
    calls++;
    elapsed = performance.now() - started;
  }
  return elapsed / calls;
}
