import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { launchChromium } from "./browser.js";
import { buildConsole } from "./console-build.js";

/** Where the console suites save their screenshots (CONSOLE_SCREENSHOTS_DIR). */
export const SCREENSHOTS = path.resolve(process.env.CONSOLE_SCREENSHOTS_DIR ?? "test-results/console-screenshots");

export interface ConsoleHarness {
  /** The console built once for the file. */
  readonly consoleDir: string;
  /** One Chromium for the file. */
  readonly browser: Browser;
  /** Run after each test, the last pushed first (pages before the servers they talk to). */
  readonly cleanups: (() => Promise<unknown>)[];
}

/**
 * Registers the hooks a console suite in Chromium needs: the console built and Chromium launched
 * once per file, both removed at the end, and each test's cleanups run after it.
 */
export function useConsoleHarness(): ConsoleHarness {
  let consoleBuild: { dir: string; remove: () => Promise<void> } | undefined;
  let browser: Browser | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    consoleBuild = await buildConsole();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consoleBuild?.remove();
  });

  afterEach(async () => {
    // Pages first, then servers: a server waits for open connections when it closes.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  return {
    get consoleDir() {
      return consoleBuild!.dir;
    },
    get browser() {
      return browser!;
    },
    cleanups,
  };
}
