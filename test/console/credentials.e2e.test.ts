import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { SCREENSHOTS, useConsoleHarness } from "../support/console-harness.js";
import { credentialsClient } from "../support/credentials-client.js";
import { scimStatus } from "../support/scim-access.js";
import { createScimTenant, type ScimTenant } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The console's credentials panel in Chromium against the real server (issue 13): the token
 * list with last use and overlap end, rotate with an overlap, revoke one token, the allowlist
 * editor, client secrets (create with the show-once secret and Copy, revoke).
 */
const TEST_TIMEOUT = 90_000;

const harness = useConsoleHarness();
const { cleanups } = harness;

async function setUp(protocol: "Connect (JSON)" | "gRPC-web"): Promise<{ s: TestServer; page: Page; tenant: ScimTenant; errors: string[] }> {
  const s = await startTestServer({ consoleDir: harness.consoleDir });
  cleanups.push(() => s.close());
  const tenant = await createScimTenant(s);
  const context = await harness.browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ["clipboard-read", "clipboard-write"] });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(`${s.baseUrl}/console/`);
  await page.getByLabel("Organization ID").fill(s.organizationId);
  await page.getByLabel("Management API key").fill(s.adminKey);
  await page.getByLabel("Protocol").selectOption({ label: protocol });
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: `Credentials of ${tenant.scimConfigurationId}` }).waitFor();
  return { s, page, tenant, errors };
}

const tokenRows = (page: Page) => page.locator('[data-credentials="tokens"] tbody tr');

describe("console: SCIM credentials", () => {
  it(
    "token list with last use, rotate with an overlap, revoke one; the allowlist editor",
    async () => {
      const { s, page, tenant, errors } = await setUp("Connect (JSON)");
      // The identity provider calls once: its last use shows.
      await fetch(`${s.baseUrl}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${tenant.token}`, "user-agent": "Okta SCIM Client 1.0" } });
      await s.app.credentialUsage.flush(true);

      const toggle = page.getByRole("button", { name: `Credentials of ${tenant.scimConfigurationId}` });
      await toggle.click();
      expect(await toggle.getAttribute("aria-expanded")).toBe("true");
      await expect.poll(() => tokenRows(page).count()).toBe(1);
      const first = tokenRows(page).first();
      expect(await first.textContent()).toContain(`${tenant.token.slice(0, 9)}…`);
      expect(await first.textContent()).toContain("Current");
      await expect.poll(() => first.locator("[data-last-use]").textContent()).toMatch(/from 127\.0\.0\.1.*Okta SCIM Client 1\.0/);

      // Rotate, keeping the current token for 10 minutes: the new one is shown once.
      const tokens = page.locator('[data-credentials="tokens"]');
      await tokens.getByLabel("Keep the current tokens working for").selectOption({ label: "10 minutes" });
      await tokens.getByRole("button", { name: "Rotate token" }).click();
      const dialog = page.locator('dialog[data-dialog="token"]');
      await dialog.waitFor({ state: "visible" });
      const rotated = await dialog.getByLabel("SCIM bearer token").inputValue();
      expect(rotated).toMatch(/^scim_/);
      expect(await dialog.locator("[data-overlap-note]").textContent()).toMatch(/previous tokens keep working until/);
      await dialog.getByRole("button", { name: "Copy" }).click();
      expect(await page.evaluate<string>("navigator.clipboard.readText()")).toBe(rotated);
      await page.screenshot({ path: path.join(SCREENSHOTS, "credentials-01-rotated.png") });
      await dialog.getByRole("button", { name: "Done" }).click();
      await expect.poll(() => tokenRows(page).count()).toBe(2);
      expect(await tokenRows(page).nth(0).textContent()).toContain(rotated.slice(0, 9));
      expect(await tokenRows(page).nth(1).locator("[data-ends]").textContent()).toMatch(/^Overlap ends /);
      expect([await scimStatus(s, tenant.token), await scimStatus(s, rotated)]).toEqual([200, 200]);
      await page.screenshot({ path: path.join(SCREENSHOTS, "credentials-02-overlap.png") });

      // Revoke the old one before its overlap ends.
      await tokenRows(page).nth(1).getByRole("button", { name: /^Revoke token / }).click();
      await page.locator('dialog[data-dialog="revoke-token"]').getByRole("button", { name: "Revoke" }).click();
      await expect.poll(() => tokenRows(page).count()).toBe(1);
      expect([await scimStatus(s, tenant.token), await scimStatus(s, rotated)]).toEqual([401, 200]);

      // The allowlist: a bad line is named, a good list is normalised and enforced.
      const allowlist = page.locator('[data-credentials="allowlist"]');
      const box = allowlist.getByLabel("Networks the identity provider calls from");
      await box.fill("127.0.0.0/8\n10.1.2.3/16");
      await allowlist.getByRole("button", { name: "Save allowlist" }).click();
      await expect.poll(() => allowlist.locator(".error").textContent()).toMatch(/cidrs\[1\] "10\.1\.2\.3\/16" has host bits set; the network is 10\.1\.0\.0\/16/);
      await box.fill("10.0.0.0/8\n::1");
      await allowlist.getByRole("button", { name: "Save allowlist" }).click();
      await expect.poll(() => allowlist.locator("[data-allowlist-state]").textContent()).toBe("Now: 2 networks");
      expect(await box.inputValue()).toBe("10.0.0.0/8\n::1/128");
      expect(await scimStatus(s, rotated)).toBe(403);
      await page.screenshot({ path: path.join(SCREENSHOTS, "credentials-03-allowlist.png") });
      await box.fill("");
      await allowlist.getByRole("button", { name: "Save allowlist" }).click();
      await expect.poll(() => allowlist.locator("[data-allowlist-state]").textContent()).toBe("Now: any address");
      expect(await scimStatus(s, rotated)).toBe(200);

      // The activity names what happened.
      await page.getByRole("tab", { name: "Activity" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("IP allowlist changed");
      expect(await page.locator("main").textContent()).toMatch(/SCIM token rotated[\s\S]*SCIM token revoked|SCIM token revoked[\s\S]*SCIM token rotated/);
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "gRPC-web: client secrets, created with the secret shown once and copied, used, revoked",
    async () => {
      const { s, page, tenant, errors } = await setUp("gRPC-web");
      await page.getByRole("button", { name: `Credentials of ${tenant.scimConfigurationId}` }).click();
      const oauth = page.locator('[data-credentials="oauth"]');
      await expect.poll(() => oauth.locator("[data-client-id]").textContent()).toBe(tenant.scimConfigurationId);
      expect(await oauth.locator("[data-token-endpoint]").textContent()).toBe(`${s.baseUrl}/oauth2/token`);
      await expect.poll(() => oauth.textContent()).toContain("No client secrets");
      await oauth.getByLabel("Secret lifetime").selectOption({ label: "90 days" });
      await oauth.getByRole("button", { name: "New client secret" }).click();
      const dialog = page.locator('dialog[data-dialog="client-secret"]');
      await dialog.waitFor({ state: "visible" });
      const secret = await dialog.getByRole("textbox", { name: "Client secret" }).inputValue();
      expect(secret).toMatch(/^scimcs_/);
      await dialog.getByRole("button", { name: "Copy the client secret" }).click();
      expect(await page.evaluate<string>("navigator.clipboard.readText()")).toBe(secret);
      await page.screenshot({ path: path.join(SCREENSHOTS, "credentials-04-client-secret.png") });
      await dialog.getByRole("button", { name: "Done" }).click();
      // Once closed it is gone from the page.
      expect(await page.content()).not.toContain(secret);

      const form = new URLSearchParams({ grant_type: "client_credentials", client_id: tenant.scimConfigurationId, client_secret: secret });
      const issued = (await (await fetch(`${s.baseUrl}/oauth2/token`, { method: "POST", body: form, headers: { "user-agent": "Microsoft.Azure.AAD.SCIM" } })).json()) as { access_token: string };
      const call = await fetch(`${s.baseUrl}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${issued.access_token}`, "user-agent": "Microsoft.Azure.AAD.SCIM" } });
      expect(call.status).toBe(200);
      await s.app.credentialUsage.flush(true);
      // Reload the lists (any change does): the secret shows its last use.
      await credentialsClient(s.baseUrl, s.adminKey).setSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId, cidrs: [] });
      await page.getByRole("button", { name: `Credentials of ${tenant.scimConfigurationId}` }).click();
      await page.getByRole("button", { name: `Credentials of ${tenant.scimConfigurationId}` }).click();
      const row = oauth.locator("tbody tr");
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain(`${secret.slice(0, 11)}…`);
      await expect.poll(() => row.locator("[data-last-use]").textContent()).toMatch(/127\.0\.0\.1.*Microsoft\.Azure\.AAD\.SCIM/);

      await row.getByRole("button", { name: /^Revoke client secret / }).click();
      await page.locator('dialog[data-dialog="revoke-secret"]').getByRole("button", { name: "Revoke" }).click();
      await expect.poll(() => oauth.textContent()).toContain("No client secrets");
      expect(await scimStatus(s, issued.access_token)).toBe(401);
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
