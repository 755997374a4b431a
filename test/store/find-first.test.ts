import { randomUUID } from "node:crypto";
import net from "node:net";
import { MongoClient, MongoNetworkError, MongoServerError, type Collection, type Db } from "mongodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { findFirstIn, isRetryableRead } from "../../src/adapters/mongo/find-first.js";

interface Row {
  _id: string;
  tokenHash: string;
  previousTokens: { hash: string }[];
  organizationId: string;
  createdAt: Date;
  s?: Record<string, unknown>;
}

const ROWS: Row[] = [
  { _id: "a", tokenHash: "h1", previousTokens: [], organizationId: "o1", createdAt: new Date("2026-01-01T00:00:00Z"), s: { k: "x" } },
  { _id: "b", tokenHash: "h2", previousTokens: [{ hash: "old" }], organizationId: "o1", createdAt: new Date("2026-01-02T00:00:00Z") },
  { _id: "c", tokenHash: "h3", previousTokens: [], organizationId: "o2", createdAt: new Date("2026-01-03T00:00:00Z") },
];

/**
 * A TCP relay to the database that can cut the connection carrying the next command that names
 * `marker` (the command's bytes hold the collection name; the driver's monitor's hello never does).
 */
async function startCuttingRelay(target: { host: string; port: number }, marker: string) {
  let cutsLeft = 0;
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(target.port, target.host);
    client.on("data", (chunk: Buffer) => {
      if (cutsLeft > 0 && chunk.includes(marker)) {
        cutsLeft--;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: (n: number) => void (cutsLeft = n),
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("findFirstIn: findOne's answer without the driver's cursor (FerretDB or MONGODB_URI)", () => {
  let client: MongoClient;
  let db: Db;
  let c: Collection<Row>;

  beforeAll(async () => {
    client = new MongoClient(inject("mongoUri"), { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    db = client.db(`t_${randomUUID().replaceAll("-", "")}`);
    c = db.collection<Row>("rows");
    await c.insertMany(ROWS);
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  it("answers as findOne does: the same document (types included), the same projection, null for no match", async () => {
    const first = findFirstIn(db, c);
    const filters = [
      { _id: "b" },
      { $or: [{ tokenHash: "old" }, { "previousTokens.hash": "old" }] },
      { $or: [{ tokenHash: "h3" }, { "previousTokens.hash": "h3" }] },
      { organizationId: "o1", _id: "a" },
      { organizationId: "nobody" },
    ];
    for (const filter of filters) {
      expect(await first(filter)).toStrictEqual(await c.findOne(filter));
    }
    expect((await first({ _id: "a" }))?.createdAt).toBeInstanceOf(Date);
    expect(await first({ _id: "a" }, { s: 0 })).toStrictEqual(await c.findOne({ _id: "a" }, { projection: { s: 0 } }));
    expect(await first({ _id: "a" }, { s: 0 })).not.toHaveProperty("s");
    expect(await first({ tokenHash: "h1" }, { _id: 1 })).toStrictEqual({ _id: "a" });
    expect(await first({ tokenHash: "none" })).toBeNull();
  });

  it("tries a read once more when its connection is lost, as the driver's retryable reads do for findOne; not twice", async () => {
    const target = new URL(inject("mongoUri"));
    const relay = await startCuttingRelay({ host: target.hostname, port: Number(target.port || 27017) }, "rows");
    const viaRelay = new MongoClient(`mongodb://127.0.0.1:${relay.port}/?directConnection=true`, { serverSelectionTimeoutMS: 5000, heartbeatFrequencyMS: 500 });
    try {
      await viaRelay.connect();
      const relayed = viaRelay.db(db.databaseName);
      const first = findFirstIn(relayed, relayed.collection<Row>("rows"));
      expect((await first({ _id: "b" }))?.tokenHash).toBe("h2");

      relay.cut(1);
      const before = relay.connections;
      expect((await first({ _id: "c" }))?.tokenHash).toBe("h3");
      // The second try went out on a new connection.
      expect(relay.connections).toBeGreaterThan(before);

      relay.cut(2);
      await expect(first({ _id: "a" })).rejects.toBeInstanceOf(MongoNetworkError);
    } finally {
      await viaRelay.close();
      await relay.close();
    }
  });

  it("retries what the driver retries and nothing else", () => {
    expect(isRetryableRead(new MongoNetworkError("connection reset"))).toBe(true);
    expect(isRetryableRead(new MongoServerError({ code: 189, errmsg: "PrimarySteppedDown" }))).toBe(true);
    expect(isRetryableRead(new MongoServerError({ code: 10107, errmsg: "not primary" }))).toBe(true);
    expect(isRetryableRead(new MongoServerError({ code: 2, errmsg: "BadValue" }))).toBe(false);
    expect(isRetryableRead(new MongoServerError({ code: 11000, errmsg: "E11000 duplicate key" }))).toBe(false);
    expect(isRetryableRead(new TypeError("bug"))).toBe(false);
  });
});
