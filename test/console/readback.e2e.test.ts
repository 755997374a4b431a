import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { buildConsole } from "../support/console-build.js";
import { runProvisioning, type ProvisioningRun } from "../support/provisioning-run.js";
import { scim } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The console's read-back tabs in Chromium against the real server after a provisioning run:
 * Members (status filter), Groups (members on demand), Activity (newest first, paged, filtered by
 * actor and subject, with request ids), and the SCIM base URL with its Copy button and the latest
 * provisioning activity under each SCIM configuration.
 */
const SCREENSHOTS = path.resolve(process.env.CONSOLE_SCREENSHOTS_DIR ?? "test-results/console-screenshots");

let consoleBuild: { dir: string; remove: () => Promise<void> };
let browser: Browser;
let server: TestServer;
let run: ProvisioningRun;
/** Extra Users, so the Activity tab has more than one page. */
const EXTRA = 20;
/** The console's rows per page (console/src/api.ts PAGE_SIZE, one for every table). */
const PAGE = 10;

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  consoleBuild = await buildConsole();
  browser = await launchChromium();
  server = await startTestServer({ consoleDir: consoleBuild.dir });
  run = await runProvisioning(server, "ui");
  const bulk = await scim(server, run.tenant.token, "POST", "/Bulk", {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
    Operations: Array.from({ length: EXTRA }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `x${i}`, data: { userName: `extra${i}@example.com`, displayName: `Extra ${i}` } })),
  });
  expect(bulk.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await browser?.close();
  await consoleBuild?.remove();
});

async function signedIn(protocol: "Connect (JSON)" | "gRPC-web"): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(`${server.baseUrl}/console/`);
  await page.getByLabel("Organization ID").fill(server.organizationId);
  await page.getByLabel("Management API key").fill(server.adminKey);
  await page.getByLabel("Protocol").selectOption({ label: protocol });
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "SSO configurations" }).waitFor();
  return { page, errors, close: () => context.close() };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
const memberRows = (page: Page) => page.locator("tr[data-member-id]");
const names = async (page: Page) => (await memberRows(page).locator("td:first-child").allTextContents()).filter((n) => !n.startsWith("Extra"));

describe.each(["Connect (JSON)", "gRPC-web"] as const)("console read-back tabs over %s", (protocol) => {
  it(
    "shows the SCIM base URL with a Copy button and the latest provisioning activity under the configuration",
    async () => {
      const { page, errors, close } = await signedIn(protocol);
      const details = page.locator(`tr[data-scim-details="${run.tenant.scimConfigurationId}"]`);
      expect(await details.getByLabel("SCIM base URL", { exact: true }).inputValue()).toBe(`${server.baseUrl}/scim/v2`);
      await details.getByRole("button", { name: /Copy the SCIM base URL/ }).click();
      await expect.poll(() => details.textContent()).toMatch(/Copied\./);
      expect(await page.evaluate<string>("navigator.clipboard.readText()")).toBe(`${server.baseUrl}/scim/v2`);
      // The run's newest change is the Bulk request's last Users.
      await expect.poll(() => details.locator("[data-latest-activity]").textContent()).toMatch(/Latest provisioning: User provisioned, /);
      if (protocol === "Connect (JSON)") await shot(page, "10-scim-base-url");
      expect(errors).toEqual([]);
      await close();
    },
    60_000,
  );

  it(
    "Members: status, email, login provider and member since; filter by status; keyboard between tabs",
    async () => {
      const { page, errors, close } = await signedIn(protocol);
      await page.getByRole("tab", { name: "Configurations" }).focus();
      await page.keyboard.press("ArrowRight");
      expect(await page.getByRole("tab", { name: "Members" }).getAttribute("aria-selected")).toBe("true");
      await page.getByRole("heading", { name: "Members" }).waitFor();
      await expect.poll(() => names(page)).toEqual(["Alice Archer", "Bob Baker", "Carol Cooper", "Dave Dunn", "Erin Evans"]);
      const carol = memberRows(page).filter({ hasText: "Carol Cooper" });
      expect(await carol.locator("td").allTextContents()).toEqual([
        "Carol Cooper",
        "carol@example.com",
        "Suspended",
        `SSO via SCIM: ${run.tenant.scimConfigurationId}`,
        expect.stringMatching(/\d/),
      ]);
      expect(await page.locator("[data-count]").textContent()).toBe(`${5 + EXTRA} members`);
      await page.getByLabel("Status").selectOption({ label: "Suspended" });
      await expect.poll(() => names(page)).toEqual(["Carol Cooper"]);
      await page.getByLabel("Status").selectOption({ label: "Left" });
      await expect.poll(() => names(page)).toEqual(["Dave Dunn"]);
      await page.getByLabel("Status").selectOption({ label: "All" });
      await page.getByLabel("Order").selectOption({ label: "Newest members first" });
      await expect.poll(async () => (await memberRows(page).locator("td:first-child").allTextContents())[0]).toBe(`Extra ${EXTRA - 1}`);
      if (protocol === "Connect (JSON)") await shot(page, "11-members");
      expect(errors).toEqual([]);
      await close();
    },
    60_000,
  );

  it(
    "Groups: the group with its member count; members on demand",
    async () => {
      const { page, errors, close } = await signedIn(protocol);
      await page.getByRole("tab", { name: "Groups" }).click();
      const row = page.locator(`tr[data-group-id="${run.groupId}"]`);
      await expect.poll(() => row.locator("td").allTextContents()).toEqual(["Engineering", "4", run.tenant.scimConfigurationId, expect.stringMatching(/\d/), "Show members"]);
      expect(await page.locator("[data-group-members]").count()).toBe(0);
      const show = row.getByRole("button", { name: "Show members" });
      await show.click();
      const list = page.getByRole("list", { name: "Members of Engineering" });
      await expect.poll(() => list.locator("li").allTextContents()).toEqual(["Alice Archer", "Bob Baker", "Carol Cooper", "Erin Evans"]);
      expect(await row.getByRole("button", { name: "Hide members" }).getAttribute("aria-expanded")).toBe("true");
      expect(await list.locator("li").first().getAttribute("data-user-id")).toBe(run.people.alice.userId);
      if (protocol === "Connect (JSON)") await shot(page, "12-groups");
      await row.getByRole("button", { name: "Hide members" }).click();
      expect(await page.locator("[data-group-members]").count()).toBe(0);
      expect(errors).toEqual([]);
      await close();
    },
    60_000,
  );

  it(
    "Activity: newest first, paged, filtered by actor and by subject, with request ids and changed fields",
    async () => {
      const { page, errors, close } = await signedIn(protocol);
      await page.getByRole("tab", { name: "Activity" }).click();
      const rows = page.locator("tr[data-entry-id]");
      await expect.poll(() => rows.count()).toBe(PAGE);
      // Newest first: the extra Users, then the run's last changes.
      expect(await rows.first().getAttribute("data-action")).toBe("scim.user.create");
      await page.getByRole("button", { name: "Next" }).click();
      await expect.poll(() => page.locator(".pager span").textContent()).toBe("Page 2");
      await expect.poll(async () => (await rows.count()) > 0).toBe(true);
      await page.getByRole("button", { name: "Previous" }).click();

      // This configuration's entries: the EXTRA Users (two pages), then the run's changes, newest first.
      await page.getByLabel("Actor").selectOption({ label: `SCIM: ${run.tenant.scimConfigurationId}` });
      await page.getByRole("button", { name: "Next" }).click();
      await expect.poll(() => page.locator(".pager span").textContent()).toBe("Page 2");
      await page.getByRole("button", { name: "Next" }).click();
      await expect.poll(() => page.locator(".pager span").textContent()).toBe("Page 3");
      const expected = run.changes.map((c) => c[0]).reverse();
      const third = Math.min(PAGE, run.changes.length + EXTRA - 2 * PAGE);
      // Polled as a whole: the rows of page 2 stay on screen until page 3 has arrived.
      await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")))).toEqual(expected.slice(2 * PAGE - EXTRA, 2 * PAGE - EXTRA + third));

      // A click on a subject (here on page 3, among the run's changes) keeps only its entries: the group was created, then patched twice.
      await rows.getByRole("button", { name: `Show only activity of ${run.groupId}` }).first().click();
      await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")))).toEqual(["scim.group.patch", "scim.group.patch", "scim.group.create"]);
      expect(await page.getByLabel("Subject ID").inputValue()).toBe(run.groupId);

      // A subject id typed in: Carol was created, then suspended.
      await page.getByLabel("Subject ID").fill(run.people.carol.userId);
      await page.getByLabel("Subject ID").press("Enter");
      await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")))).toEqual(["scim.user.patch", "scim.user.create"]);
      const patch = rows.first();
      expect(await patch.locator("[data-changed]").textContent()).toBe("Changed: active. ");
      expect(await patch.locator("[data-request-id]").textContent()).toBe(run.changes.find((c) => c[0] === "scim.user.patch")![1]);
      if (protocol === "Connect (JSON)") await shot(page, "13-activity");
      await page.getByRole("button", { name: "Clear filters" }).click();
      await expect.poll(() => rows.count()).toBe(PAGE);
      expect(errors).toEqual([]);
      await close();
    },
    60_000,
  );
});
