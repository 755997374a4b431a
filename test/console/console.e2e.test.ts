import net from "node:net";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { clientFor } from "../support/clients.js";
import { SCREENSHOTS, useConsoleHarness } from "../support/console-harness.js";
import { scimStatus } from "../support/scim-access.js";
import { serveConsoleElsewhere } from "../support/second-origin.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The admin console in real Chromium against the real server: the generated OrganizationService
 * stubs over Connect JSON and gRPC-web, same origin and a second origin. Screenshots of the main
 * states go to CONSOLE_SCREENSHOTS_DIR (default test-results/console-screenshots).
 */
const VIEWPORT = { width: 1100, height: 720 };
const TEST_TIMEOUT = 90_000;

const harness = useConsoleHarness();
const { cleanups } = harness;

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer({ consoleDir: harness.consoleDir, env });
  cleanups.push(() => s.close());
  return s;
}

async function newPage(): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const context = await harness.browser.newContext({ viewport: VIEWPORT, permissions: ["clipboard-read", "clipboard-write"] });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  return { page, context, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

async function signIn(page: Page, s: TestServer, protocol: "Connect (JSON)" | "gRPC-web" = "Connect (JSON)"): Promise<void> {
  await page.getByLabel("Organization ID").fill(s.organizationId);
  await page.getByLabel("Management API key").fill(s.adminKey);
  await page.getByLabel("Protocol").selectOption({ label: protocol });
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => page.getByRole("heading", { name: "SSO configurations" }).isVisible()).toBe(true);
}

async function createSso(page: Page, name: string, issuer = "https://idp.example.com"): Promise<void> {
  await page.getByRole("button", { name: "New SSO configuration" }).click();
  const dialog = page.locator('dialog[data-dialog="create-sso"]');
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Issuer URL").fill(issuer);
  await dialog.getByLabel("Client ID").fill(`client-${name}`);
  await dialog.getByLabel("Client secret").fill("s3cret-client-secret");
  await dialog.getByRole("button", { name: "Create" }).click();
}

/** Creates a SCIM configuration through the form and returns the token of the one-time dialog. */
async function createScim(page: Page, name: string, ssoName: string, lifetime = "1 year"): Promise<string> {
  await page.getByRole("button", { name: "New SCIM configuration" }).click();
  const dialog = page.locator('dialog[data-dialog="create-scim"]');
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("SSO configuration").selectOption({ label: ssoName });
  await dialog.getByLabel("Token lifetime").selectOption({ label: lifetime });
  await dialog.getByRole("button", { name: "Create" }).click();
  return readTokenDialog(page);
}

async function readTokenDialog(page: Page): Promise<string> {
  const dialog = page.locator('dialog[data-dialog="token"]');
  await dialog.waitFor({ state: "visible" });
  const token = await dialog.getByLabel("SCIM bearer token").inputValue();
  expect(token).toMatch(/^scim_/);
  return token;
}

function scimRow(page: Page, name: string) {
  return page.locator("tr[data-scim-id]", { hasText: name });
}

describe("admin console in Chromium", () => {
  it(
    "Connect JSON: sign in, create SSO + SCIM, copy the token once, regenerate, edit, disable, delete",
    async () => {
      const s = await server();
      const { page, errors } = await newPage();
      await page.goto(`${s.baseUrl}/console/`);
      await shot(page, "01-sign-in");

      // A wrong key is refused next to the key field; the page stays usable.
      await page.getByLabel("Organization ID").fill(s.organizationId);
      await page.getByLabel("Management API key").fill("not-a-real-key");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => page.locator('[data-field="api_key"] .error').textContent()).toMatch(/Not signed in/);
      await signIn(page, s);

      // The key lives in sessionStorage only: not in localStorage, not in the URL.
      const storage = await page.evaluate<{ session: string; local: string; url: string }>(
        "({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage), url: location.href })",
      );
      expect(storage.session).toContain(s.adminKey);
      expect(storage.local).not.toContain(s.adminKey);
      expect(storage.url).not.toContain(s.adminKey);

      // A server validation error appears next to the field it names.
      await createSso(page, "Okta", "not a url");
      await expect.poll(() => page.locator('[data-field="issuer_url"] .error').textContent()).toMatch(/issuer_url must be an absolute URI/);
      await page.locator('dialog[data-dialog="create-sso"]').getByLabel("Issuer URL").fill("https://example.okta.com");
      await page.locator('dialog[data-dialog="create-sso"]').getByRole("button", { name: "Create" }).click();
      await page.locator("tr[data-sso-id]", { hasText: "Okta" }).waitFor();

      // Create SCIM: the token is shown once, copied, and works on the SCIM endpoint.
      const token = await createScim(page, "Okta provisioning", "Okta", "2 years");
      const tokenDialog = page.locator('dialog[data-dialog="token"]');
      expect(await tokenDialog.textContent()).toMatch(/cannot be shown again/);
      await tokenDialog.getByRole("button", { name: "Copy" }).click();
      await expect.poll(() => tokenDialog.locator(".status").textContent()).toMatch(/Copied/);
      expect(await clipboard(page)).toBe(token);
      await shot(page, "03-one-time-token");
      expect(await scimStatus(s, token)).toBe(200);
      await page.keyboard.press("Escape");
      await tokenDialog.waitFor({ state: "detached" });
      expect(await page.content()).not.toContain(token);

      const row = scimRow(page, "Okta provisioning");
      await expect.poll(() => row.textContent()).toMatch(/Enabled/);
      expect(await row.locator("[data-expiry]").count()).toBe(0);
      // What Unleash-style clients see for the organization's only SCIM configuration.
      await expect.poll(() => page.locator(".unleash").textContent()).toMatch(/SCIM enabled, token in place/);

      // Regenerate with a confirmation and a 7-day lifetime: the old token stops working.
      await row.getByRole("button", { name: /Regenerate token/ }).click();
      const confirm = page.locator('dialog[data-dialog="regenerate"]');
      await confirm.getByLabel("Token lifetime").selectOption({ label: "7 days" });
      await confirm.getByRole("button", { name: "Regenerate" }).click();
      const newToken = await readTokenDialog(page);
      expect(newToken).not.toBe(token);
      await page.locator('dialog[data-dialog="token"]').getByRole("button", { name: "Done" }).click();
      expect(await scimStatus(s, token)).toBe(401);
      expect(await scimStatus(s, newToken)).toBe(200);
      await expect.poll(() => row.locator('[data-expiry="soon"]').textContent()).toMatch(/Expires in 7 days/);

      // Edit: a too-long name is refused next to the field; then rename and allow linking.
      await row.getByRole("button", { name: /^Edit/ }).click();
      const edit = page.locator('dialog[data-dialog="edit-scim"]');
      await edit.getByLabel("Name").fill("x".repeat(129));
      await edit.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => edit.locator('[data-field="name"] .error').textContent()).toMatch(/name must be at most 128 characters/);
      await edit.getByLabel("Name").fill("Okta (production)");
      await edit.getByRole("switch").check();
      await edit.getByRole("button", { name: "Save" }).click();
      await edit.waitFor({ state: "detached" });
      const renamed = scimRow(page, "Okta (production)");
      await expect.poll(() => renamed.textContent()).toMatch(/Allowed/);

      // Disable: the token is refused with 403 while disabled.
      await renamed.getByRole("button", { name: /^Disable/ }).click();
      await expect.poll(() => renamed.locator(".badge").first().textContent()).toBe("Disabled");
      expect(await scimStatus(s, newToken)).toBe(403);
      await expect.poll(() => page.locator(".unleash").textContent()).toMatch(/SCIM disabled/);
      await shot(page, "04-disabled-and-expiring");

      // The SSO configuration is still linked: its delete is refused with a readable reason.
      await page.locator("tr[data-sso-id]", { hasText: "Okta" }).getByRole("button", { name: /Delete/ }).click();
      const deleteSso = page.locator('dialog[data-dialog="delete-sso"]');
      await deleteSso.getByRole("button", { name: "Delete" }).click();
      await expect.poll(() => deleteSso.locator(".error").textContent()).toMatch(/Not possible now/);
      await deleteSso.getByRole("button", { name: "Cancel" }).click();

      // Delete the SCIM configuration with a confirmation: its token is gone for good.
      await renamed.getByRole("button", { name: /^Delete/ }).click();
      await page.locator('dialog[data-dialog="delete-scim"]').getByRole("button", { name: "Delete" }).click();
      await page.getByText("No SCIM configurations yet.").waitFor();
      expect(await scimStatus(s, newToken)).toBe(401);
      await expect.poll(() => page.locator(".unleash").textContent()).toMatch(/has no SCIM configuration/);

      await page.locator("tr[data-sso-id]", { hasText: "Okta" }).getByRole("button", { name: /Delete/ }).click();
      await page.locator('dialog[data-dialog="delete-sso"]').getByRole("button", { name: "Delete" }).click();
      await page.getByText("No SSO configurations yet.").waitFor();
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "gRPC-web: every call goes as gRPC-web, errors included, and the token lifecycle holds",
    async () => {
      const s = await server();
      const { page, errors } = await newPage();
      const contentTypes = new Set<string>();
      page.on("request", (req) => {
        if (req.url().includes("/gitpod.v1.OrganizationService/")) contentTypes.add(req.headers()["content-type"] ?? "");
      });
      await page.goto(`${s.baseUrl}/console/`);
      await signIn(page, s, "gRPC-web");

      await createSso(page, "Entra", "ftp://nope");
      await expect.poll(() => page.locator('[data-field="issuer_url"] .error').textContent()).toMatch(/issuer_url must be an https URI/);
      await page.locator('dialog[data-dialog="create-sso"]').getByLabel("Issuer URL").fill("https://login.microsoftonline.com/t/v2.0");
      await page.locator('dialog[data-dialog="create-sso"]').getByRole("button", { name: "Create" }).click();
      await page.locator("tr[data-sso-id]", { hasText: "Entra" }).waitFor();

      const token = await createScim(page, "Entra provisioning", "Entra");
      await page.locator('dialog[data-dialog="token"]').getByRole("button", { name: "Done" }).click();
      expect(await scimStatus(s, token)).toBe(200);

      const row = scimRow(page, "Entra provisioning");
      await row.getByRole("button", { name: /Regenerate token/ }).click();
      await page.locator('dialog[data-dialog="regenerate"]').getByRole("button", { name: "Regenerate" }).click();
      const newToken = await readTokenDialog(page);
      await page.keyboard.press("Escape");
      expect(await scimStatus(s, token)).toBe(401);
      expect(await scimStatus(s, newToken)).toBe(200);

      await row.getByRole("button", { name: /^Disable/ }).click();
      await expect.poll(() => row.locator(".badge").first().textContent()).toBe("Disabled");
      await row.getByRole("button", { name: /^Delete/ }).click();
      await page.locator('dialog[data-dialog="delete-scim"]').getByRole("button", { name: "Delete" }).click();
      await page.getByText("No SCIM configurations yet.").waitFor();
      expect(await scimStatus(s, newToken)).toBe(401);

      expect([...contentTypes]).toEqual(["application/grpc-web+proto"]);
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "from a second origin: only a listed API origin, typed by hand and shown with a warning; CORS_ORIGINS lets the page in",
    async () => {
      // The consoles must list the API's origin and the API must list one console's: a port first.
      const port = await freePort();
      const apiOrigin = `http://127.0.0.1:${port}`;
      const allowed = await serveConsoleElsewhere(harness.consoleDir, { apiOrigins: [apiOrigin] });
      cleanups.push(allowed.close);
      const other = await serveConsoleElsewhere(harness.consoleDir, { apiOrigins: [apiOrigin] });
      cleanups.push(other.close);
      const api = await server({ CORS_ORIGINS: allowed.origin, PORT: String(port) });
      const { page, errors } = await newPage();

      // Listed for the console, but the service's CORS_ORIGINS does not name this page's origin.
      await page.goto(`${other.origin}/console/?api=${encodeURIComponent(api.baseUrl)}`);
      expect(await page.getByLabel("Service base URL").inputValue()).toBe(other.origin);
      await page.getByLabel("Service base URL").fill(api.baseUrl);
      await signInExpectingFailure(page, api);
      await expect.poll(() => page.locator('[data-field="base_url"] .error').textContent()).toMatch(/CORS_ORIGINS/);

      // Allowed: the link does not prefill; typed by hand, the warning names the origin.
      await page.goto(`${allowed.origin}/console/?api=${encodeURIComponent(api.baseUrl)}`);
      expect(await page.getByLabel("Service base URL").inputValue()).toBe(allowed.origin);
      await page.getByLabel("Service base URL").fill(api.baseUrl);
      const warning = page.locator('[data-warning="other-origin"]');
      await expect.poll(() => warning.textContent()).toContain(`Your API key will be sent to ${api.baseUrl}`);
      await shot(page, "sign-in-other-origin");
      await signIn(page, api, "gRPC-web");
      expect(await page.locator('header [data-warning="other-origin"]').textContent()).toContain(api.baseUrl);
      await createSso(page, "Google", "nope");
      await expect.poll(() => page.locator('[data-field="issuer_url"] .error').textContent()).toMatch(/issuer_url must be/);
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Sign out" }).click();

      await page.getByLabel("Service base URL").fill(api.baseUrl);
      await signIn(page, api, "Connect (JSON)");
      await createSso(page, "Google", "https://accounts.google.com");
      await page.locator("tr[data-sso-id]", { hasText: "Google" }).waitFor();
      const token = await createScim(page, "Google provisioning", "Google");
      expect(await scimStatus(api, token)).toBe(200);
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "an origin the server does not list is refused before any call, and ?api= prefills nothing",
    async () => {
      const s = await server();
      const { page, errors } = await newPage();
      const elsewhere: string[] = [];
      page.on("request", (req) => {
        if (!req.url().startsWith(s.baseUrl)) elsewhere.push(req.url());
      });
      await page.goto(`${s.baseUrl}/console/?api=${encodeURIComponent("http://127.0.0.1:1")}`);
      expect(await page.getByLabel("Service base URL").inputValue()).toBe(s.baseUrl);
      await page.getByLabel("Service base URL").fill("http://127.0.0.1:1");
      await signInExpectingFailure(page, s);
      await expect
        .poll(() => page.locator('[data-field="base_url"] .error').textContent())
        .toBe(`This console sends your key only to its own origin (${s.baseUrl}) and the server lists none in CONSOLE_API_ORIGINS.`);
      expect(elsewhere).toEqual([]);
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "the new SCIM configuration form offers only SSO configurations not linked yet, and explains already_exists",
    async () => {
      const s = await server();
      const { page, errors } = await newPage();
      await page.goto(`${s.baseUrl}/console/`);
      await signIn(page, s);
      await createSso(page, "Okta");
      await page.locator("tr[data-sso-id]", { hasText: "Okta" }).waitFor();
      await createSso(page, "Entra");
      await page.locator("tr[data-sso-id]", { hasText: "Entra" }).waitFor();
      await createScim(page, "Okta provisioning", "Okta");
      await page.locator('dialog[data-dialog="token"]').getByRole("button", { name: "Done" }).click();

      // Okta is linked: only Entra is offered.
      await page.getByRole("button", { name: "New SCIM configuration" }).click();
      const dialog = page.locator('dialog[data-dialog="create-scim"]');
      const options = () => dialog.getByLabel("SSO configuration").locator("option").allTextContents();
      await expect.poll(options).toEqual(["Entra"]);

      // Someone links Entra meanwhile: the answer is explained, not shown raw.
      const entra = (await clientFor("connect-json", s.baseUrl, s.adminKey).listSSOConfigurations({ organizationId: s.organizationId })).ssoConfigurations.find(
        (c) => c.displayName === "Entra",
      )!;
      await clientFor("connect-json", s.baseUrl, s.adminKey).createSCIMConfiguration({ organizationId: s.organizationId, ssoConfigurationId: entra.id });
      await dialog.getByRole("button", { name: "Create" }).click();
      await expect
        .poll(() => dialog.locator('[data-field="sso_configuration_id"] .error').textContent())
        .toBe("This SSO configuration already has a SCIM configuration (one each): pick another, or edit or delete the existing one.");
      await shot(page, "create-scim-already-linked");
      await page.keyboard.press("Escape");

      // Now every SSO configuration is linked: the form says so.
      await page.reload();
      await page.getByRole("button", { name: "New SCIM configuration" }).click();
      await expect.poll(options).toEqual(["Every SSO configuration already has a SCIM configuration"]);
      await dialog.getByRole("button", { name: "Create" }).click();
      await expect.poll(() => dialog.locator('[data-field="sso_configuration_id"] .error').textContent()).toMatch(/^Every SSO configuration already has its SCIM configuration/);
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "keyboard only: Tab and Enter through the main flow, Escape closes dialogs and focus returns",
    async () => {
      const s = await server();
      const { page, errors } = await newPage();
      await page.goto(`${s.baseUrl}/console/`);
      // The organization id field gets the focus on load.
      await expect.poll(() => page.evaluate<string>('document.activeElement?.id ?? ""')).toBe("field-organization_id");
      await page.keyboard.type(s.organizationId);
      await page.keyboard.press("Tab");
      await page.keyboard.type(s.adminKey);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "SSO configurations" }).waitFor();

      await tabTo(page, "New SSO configuration");
      await page.keyboard.press("Enter");
      await page.locator('dialog[data-dialog="create-sso"]').waitFor();
      await page.keyboard.type("Keyboard IdP");
      await page.keyboard.press("Tab");
      await page.keyboard.type("https://idp.example.org");
      await page.keyboard.press("Tab");
      await page.keyboard.type("client-1");
      await page.keyboard.press("Tab");
      await page.keyboard.type("secret-1");
      await page.keyboard.press("Enter");
      await page.locator("tr[data-sso-id]", { hasText: "Keyboard IdP" }).waitFor();
      await expect.poll(() => focusedText(page)).toBe("New SSO configuration");

      await tabTo(page, "New SCIM configuration", true);
      await page.keyboard.press("Enter");
      await page.locator('dialog[data-dialog="create-scim"]').waitFor();
      // Escape closes without creating, and focus goes back to the button that opened it.
      await page.keyboard.press("Escape");
      await page.locator('dialog[data-dialog="create-scim"]').waitFor({ state: "detached" });
      await expect.poll(() => focusedText(page)).toBe("New SCIM configuration");

      await page.keyboard.press("Enter");
      await page.locator('dialog[data-dialog="create-scim"]').waitFor();
      await page.keyboard.type("Keyboard SCIM");
      await page.keyboard.press("Enter");
      const token = await readTokenDialog(page);
      // Copy has the focus in the token dialog.
      await page.keyboard.press("Enter");
      expect(await clipboard(page)).toBe(token);
      await page.keyboard.press("Escape");
      await page.locator('dialog[data-dialog="token"]').waitFor({ state: "detached" });
      await expect.poll(() => focusedText(page)).toBe("New SCIM configuration");

      // Delete: Cancel has the focus (a stray Enter is harmless); Tab reaches Delete.
      await tabTo(page, "Delete");
      await page.keyboard.press("Enter");
      await page.locator('dialog[data-dialog="delete-scim"]').waitFor();
      expect(await focusedText(page)).toBe("Cancel");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await page.getByText("No SCIM configurations yet.").waitFor();
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    "pages through lists and warns about tokens that expire within 30 days",
    async () => {
      const s = await server();
      const api = clientFor("connect-json", s.baseUrl, s.adminKey);
      const ssoIds: string[] = [];
      for (let i = 1; i <= 12; i++) {
        const res = await api.createSSOConfiguration({
          organizationId: s.organizationId,
          displayName: `IdP ${String(i).padStart(2, "0")}`,
          issuerUrl: `https://idp${i}.example.com`,
          clientId: `client-${i}`,
          clientSecret: "secret",
        });
        ssoIds.push(res.ssoConfiguration!.id);
      }
      const lifetimes = [365, 7, 730, 20];
      for (const [i, days] of lifetimes.entries()) {
        await api.createSCIMConfiguration({
          organizationId: s.organizationId,
          name: ["Okta production", "Okta staging", "Entra ID", "Google Workspace"][i]!,
          ssoConfigurationId: ssoIds[i]!,
          tokenExpiresIn: { seconds: BigInt(days * 86_400), nanos: 0 },
        });
      }
      const staging = (await api.listSCIMConfigurations({})).scimConfigurations.find((c) => c.name === "Entra ID")!;
      await api.updateSCIMConfiguration({ scimConfigurationId: staging.id, enabled: false });

      const { page, errors } = await newPage();
      await page.goto(`${s.baseUrl}/console/`);
      await signIn(page, s);
      await expect.poll(() => page.locator("tr[data-scim-id]").count()).toBe(4);
      await expect.poll(() => page.locator('[data-expiry="soon"]').count()).toBe(2);
      expect(await scimRow(page, "Okta staging").locator('[data-expiry="soon"]').textContent()).toMatch(/Expires in 7 days/);
      expect(await scimRow(page, "Google Workspace").locator('[data-expiry="soon"]').textContent()).toMatch(/Expires in 20 days/);
      expect(await scimRow(page, "Okta production").locator("[data-expiry]").count()).toBe(0);
      await expect.poll(() => page.locator(".unleash").textContent()).toMatch(/several SCIM configurations/);
      await shot(page, "02-list");

      const sso = page.locator('section[data-section="sso"]');
      await expect.poll(() => sso.locator("tr[data-sso-id]").count()).toBe(10);
      await sso.getByRole("button", { name: "Next" }).click();
      await expect.poll(() => sso.locator("tr[data-sso-id]").allTextContents()).toEqual([expect.stringContaining("IdP 11"), expect.stringContaining("IdP 12")]);
      expect(await sso.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
      await sso.getByRole("button", { name: "Previous" }).click();
      await expect.poll(() => sso.locator("tr[data-sso-id]").count()).toBe(10);
      expect(await sso.getByText("Page 1").isVisible()).toBe(true);
      expect(errors).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function signInExpectingFailure(page: Page, s: TestServer): Promise<void> {
  await page.getByLabel("Organization ID").fill(s.organizationId);
  await page.getByLabel("Management API key").fill(s.adminKey);
  await page.getByRole("button", { name: "Sign in" }).click();
}

// Page-side code is passed as text: the test project is compiled without the DOM library.
async function focusedText(page: Page): Promise<string> {
  return page.evaluate<string>('document.activeElement?.textContent?.trim() ?? ""');
}

async function clipboard(page: Page): Promise<string> {
  return page.evaluate<string>("navigator.clipboard.readText()");
}

/** Presses Tab (or Shift+Tab) until the focused element's text is `text`; fails after 40 presses. */
async function tabTo(page: Page, text: string, backwards = false): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if ((await focusedText(page)) === text) return;
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
  }
  throw new Error(`could not reach "${text}" with the keyboard`);
}
