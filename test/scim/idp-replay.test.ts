/**
 * Replays every case of the identity-provider corpus (test/scim/idp-corpus/: request bodies from
 * Okta's, Microsoft Entra ID's and OneLogin's public documentation, each case naming its source)
 * against the real /scim/v2 endpoints, checking each step's status and the state the response
 * shows. Each case gets an organization and a SCIM configuration of its own: userNames and
 * emails repeat across cases on purpose, and account linking works across the configurations of
 * one organization, so sharing an organization would make cases interfere.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkExpectations, resolvePath } from "./idp-corpus/corpus-expect.js";
import { bindStep, requestTarget } from "./idp-corpus/corpus-placeholders.js";
import { loadCorpus, type CorpusCase, type CorpusStep } from "./idp-corpus/load-corpus.js";
import { createScimTenant } from "../support/scim-client.js";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";

const CASES = loadCorpus();

describe.each(STORE_KINDS)("identity-provider corpus replay (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(() => server?.close());

  it("holds at least 60 cases from Okta and Microsoft Entra ID", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.provider))).toEqual(new Set(["Okta", "Microsoft Entra ID", "OneLogin"]));
  });

  it.each(CASES.map((c) => [`${c.id} (${c.provider})`, c] as const))("%s", async (_name, corpusCase) => {
    const organizationId = randomUUID();
    const tenant = await createScimTenant(server, { organizationId, adminKey: await server.key("admin", organizationId) });
    await replay(server, tenant.token, corpusCase);
  });
});

/** Runs the steps in order; the first mismatch fails the case with everything needed to look it up. */
async function replay(server: TestServer, token: string, corpusCase: CorpusCase): Promise<void> {
  const saved: Record<string, string> = {};
  for (const [i, raw] of corpusCase.steps.entries()) {
    const step = bindStep(raw, corpusCase.vars ?? {}, saved);
    const response = await send(server, token, step);
    const where = [
      `${corpusCase.id} step ${i}: ${step.method} ${step.path}`,
      `source: ${corpusCase.source}`,
      ...(raw.note ? [`step note: ${raw.note}`] : []),
      ...(corpusCase.doubt ? [`doubt: ${corpusCase.doubt}`] : []),
      `response ${response.status}: ${JSON.stringify(response.body)?.slice(0, 2000)}`,
    ].join("\n");
    expect(response.status, where).toBe(step.expectStatus);
    if (step.expect) expect(checkExpectations(response.body, step.expect), where).toEqual([]);
    for (const [name, path] of Object.entries(step.save ?? {})) {
      const value = resolvePath(response.body, path);
      expect(typeof value, `${where}\nsave ${name} from ${path}`).toBe("string");
      saved[name] = value as string;
    }
  }
}

async function send(server: TestServer, token: string, step: CorpusStep): Promise<{ status: number; body: unknown }> {
  const body = step.rawBody ?? (step.body === undefined ? undefined : JSON.stringify(step.body));
  const headers: Record<string, string> = { accept: "application/scim+json" };
  if (step.auth !== "none") headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/scim+json";
  const res = await fetch(`${server.baseUrl}/scim/v2${requestTarget(step.path)}`, { method: step.method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: kept as text so the failure message shows it.
  }
  return { status: res.status, body: parsed };
}
