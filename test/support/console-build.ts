import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const CONFIG = fileURLToPath(new URL("../../console/vite.config.ts", import.meta.url));

/**
 * Builds the console from its current source into a temporary folder, so the browser suites
 * test this checkout and never a stale dist/console. Returns the folder and its remover.
 */
export async function buildConsole(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "scim-console-"));
  await build({ configFile: CONFIG, logLevel: "error", build: { outDir: dir, emptyOutDir: true } });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
