import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;

/**
 * The README's test command must pass by itself on a fresh machine: scripts/test-prerequisites.sh
 * installs what it can and otherwise stops at once with the exact command. Here it runs on a PATH
 * without jq and as a user that is not root (a fake `id`), so it cannot install: it must name
 * the package and the command, and exit non-zero before anything else runs.
 */
describe("npm test's prerequisites step", () => {
  it("stops with the exact install command when a package is missing and it may not install", async () => {
    const bin = mkdtempSync(join(tmpdir(), "prereq-bin-"));
    try {
      for (const tool of ["bash", "curl", "openssl", "python3", "go", "node", "npm", "dirname", "cat", "sed", "mkdir", "head"]) {
        const found = await run("bash", ["-c", `command -v ${tool}`]).then((r) => r.stdout.trim(), () => "");
        if (found) symlinkSync(found, join(bin, tool));
      }
      writeFileSync(join(bin, "id"), "#!/bin/sh\necho 1000\n");
      chmodSync(join(bin, "id"), 0o755);
      const result = await run("bash", ["scripts/test-prerequisites.sh"], { cwd: root, env: { PATH: bin, HOME: process.env.HOME ?? "/root" } }).then(
        () => ({ code: 0, stderr: "" }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("missing: jq");
      expect(result.stderr).toContain("sudo apt-get update && sudo apt-get install -y jq");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it(".ci/run calls the same command as the README's quick start", async () => {
    const { stdout } = await run("bash", ["-c", "grep -c '^npm test' .ci/run; grep -c '^npm test ' README.md"], { cwd: root });
    expect(stdout.trim().split("\n").map(Number)).toEqual([1, 1]);
  });
});
