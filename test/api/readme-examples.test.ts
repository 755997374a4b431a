import { execFile, spawn } from "node:child_process";
import { connect } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../support/ferretdb.js";
import { startServiceProcess, type ServiceProcess } from "../support/process.js";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;

/** The bash block between the api-examples markers of docs/api.md, as users copy it. */
function readmeExamples(): string {
  const readme = readFileSync(join(root, "docs", "api.md"), "utf8");
  const block = /<!-- api-examples:start -->\s*```bash\n([\s\S]*?)```\s*<!-- api-examples:end -->/.exec(readme);
  if (!block) throw new Error("docs/api.md has no api-examples block");
  return block[1]!;
}

describe("README quick start and curl examples, against the real process", () => {
  let service: ServiceProcess;
  let base: string;
  const org = randomUUID();
  const key = randomBytes(24).toString("hex");

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = await startServiceProcess("node", ["dist/src/main.js"], { PORT: String(port), HOST: "127.0.0.1", INIT_ORGANIZATION_ID: org, INIT_ADMIN_API_KEY: key }, root);
  });
  afterAll(async () => {
    expect(await service.stop()).toBe(0);
  });

  it("prints one start-up line naming address, protocols and store", () => {
    const line = service.output().split("\n").find((l) => l.includes("listening on"))!;
    expect(line).toContain(`127.0.0.1:${new URL(base).port}`);
    expect(line).toContain("gRPC-web");
    expect(line).toContain("HTTP/2 cleartext");
    expect(line).toContain("store: memory");
    expect(service.output()).not.toContain(key);
    expect(service.output()).not.toContain("Embedded mode created");
  });

  it.each([
    ["HTTP/1.1", ""],
    ["h2c (prior knowledge)", "--http2-prior-knowledge"],
  ])("runs every example in order over %s", async (_name, flag) => {
    const dir = mkdtempSync(join(tmpdir(), "readme-"));
    const script = `set -euo pipefail\ncurl() { command curl --fail-with-body ${flag} -w '%{stderr}[%{http_version} %{http_code}]\\n' "$@"; }\n${readmeExamples()}`;
    const { stdout, stderr } = await run("bash", ["-c", script], { cwd: dir, env: { ...process.env, BASE: base, KEY: key, ORG: org }, timeout: 30_000 });
    const statuses = [...stderr.matchAll(/\[(\S+) (\d{3})\]/g)];
    expect(statuses).toHaveLength(12);
    expect(new Set(statuses.map((m) => m[1]))).toEqual(new Set([flag ? "2" : "1.1"]));
    expect(statuses.every((m) => m[2] === "200")).toBe(true);
    expect(stdout).toMatch(/"token":"scim_[0-9A-Za-z]{46}"/);
  });
});

describe("README quick start: npm start on the embedded default", () => {
  it("serves and prints a development key that works", async () => {
    const port = await freePort();
    const service = await startServiceProcess("npm", ["start", "--silent"], { PORT: String(port), HOST: "127.0.0.1" }, root, 120_000);
    try {
      const key = /API key: +(\S+)/.exec(service.output())?.[1];
      expect(key).toMatch(/^scimadm_/);
      const res = await fetch(`http://127.0.0.1:${port}/gitpod.v1.OrganizationService/ListSCIMConfigurations`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: "{}",
      });
      expect(res.status).toBe(200);
    } finally {
      await service.stop();
    }
  }, 150_000);
});

describe("start-up on an empty MongoDB database", () => {
  it("says how to create the first management API key, and creates none itself", async () => {
    const port = await freePort();
    const database = `t_${randomUUID().replaceAll("-", "")}`;
    const service = await startServiceProcess("node", ["dist/src/main.js"], { PORT: String(port), HOST: "127.0.0.1", MONGODB_URI: inject("mongoUri"), MONGODB_DB: database }, root);
    try {
      expect(service.output()).toContain("store: mongodb");
      expect(service.output()).toContain("npm run admin -- keys create --organization");
      expect(service.output()).toContain("INIT_ADMIN_API_KEY");
      expect(service.output()).not.toContain("Embedded mode created");
    } finally {
      await service.stop();
    }
  });
});

describe("npm run db: a MongoDB-wire database for npm start, from the cache", () => {
  it("starts FerretDB on DB_PORT, and the service runs on it", async () => {
    const dbPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "npm-run-db-"));
    const db = spawn("npm", ["run", "db", "--silent"], { cwd: root, env: { ...process.env, DB_PORT: String(dbPort), DB_DIR: dir }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let dbOutput = "";
    db.stderr!.on("data", (d: Buffer) => (dbOutput += d.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (!(await canConnect(dbPort))) {
        if (Date.now() > deadline || db.exitCode !== null) throw new Error(`npm run db did not listen: ${dbOutput}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(dbOutput).toContain(`MONGODB_URI=mongodb://127.0.0.1:${dbPort}`);
      const port = await freePort();
      const service = await startServiceProcess(
        "node",
        ["dist/src/main.js"],
        { PORT: String(port), HOST: "127.0.0.1", MONGODB_URI: `mongodb://127.0.0.1:${dbPort}`, MONGODB_DB: "scim" },
        root,
      );
      try {
        expect(service.output()).toContain("store: mongodb (database scim)");
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(await ready.json()).toEqual({ status: "ready", store: "mongodb" });
      } finally {
        await service.stop();
      }
    } finally {
      if (db.pid !== undefined) process.kill(-db.pid, "SIGTERM");
    }
  }, 120_000);
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe("README SCIM examples, against the real process", () => {
  it("runs the SCIM block in order: create, filter, PATCH in each dialect, group membership", async () => {
    const port = await freePort();
    const org = randomUUID();
    const key = randomBytes(24).toString("hex");
    const service = await startServiceProcess("node", ["dist/src/main.js"], { PORT: String(port), HOST: "127.0.0.1", INIT_ORGANIZATION_ID: org, INIT_ADMIN_API_KEY: key }, root);
    try {
      const base = `http://127.0.0.1:${port}`;
      const rpc = async (method: string, body: unknown) => {
        const res = await fetch(`${base}/gitpod.v1.OrganizationService/${method}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
        return (await res.json()) as any;
      };
      const sso = await rpc("CreateSSOConfiguration", { organizationId: org, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" });
      const scimConfig = await rpc("CreateSCIMConfiguration", { organizationId: org, ssoConfigurationId: sso.ssoConfiguration.id });
      const readme = readFileSync(join(root, "README.md"), "utf8");
      const block = /<!-- scim-examples:start -->\s*```bash\n([\s\S]*?)```\s*<!-- scim-examples:end -->/.exec(readme)![1]!;
      const dir = mkdtempSync(join(tmpdir(), "readme-scim-"));
      const script = `set -euo pipefail\ncurl() { command curl --fail-with-body -w '%{stderr}[%{http_code}]\\n' "$@"; }\n${block}`;
      const { stderr } = await run("bash", ["-c", script], { cwd: dir, env: { ...process.env, BASE: base, SCIM_TOKEN: scimConfig.token }, timeout: 30_000 });
      expect([...stderr.matchAll(/\[(\d{3})\]/g)].map((m) => m[1])).toEqual(["201", "200", "200", "200", "200", "201", "200"]);
      const token = { authorization: `Bearer ${scimConfig.token}` };
      const users = (await (await fetch(`${base}/scim/v2/Users`, { headers: token })).json()) as any;
      expect(users.totalResults).toBe(1);
      const user = users.Resources[0];
      expect(user).toMatchObject({ userName: "bjensen@example.com", active: true, name: { givenName: "Babs", familyName: "Jensen" } });
      expect(user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toEqual({ department: "Tour Operations" });
      expect(user.emails).toEqual([{ value: "barbara@example.com", type: "work", primary: true }]);
      expect(user.groups).toEqual([expect.objectContaining({ display: "Engineering" })]);
    } finally {
      await service.stop();
    }
  });
});
