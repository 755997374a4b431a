import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../support/interop-tools.js";

const repoRoot = new URL("../../", import.meta.url).pathname;
const script = "scripts/check-proto-breaking.sh";
const organizationProto = "proto/gitpod/v1/organization.proto";

/** A throw-away git repository holding this repository's proto/, buf.yaml and the check script. */
async function scratchRepo(): Promise<{ dir: string; git: (...args: string[]) => Promise<void>; edit: (from: string, to: string) => void }> {
  const dir = mkdtempSync(join(tmpdir(), "proto-breaking-"));
  cpSync(join(repoRoot, "proto"), join(dir, "proto"), { recursive: true });
  cpSync(join(repoRoot, "buf.yaml"), join(dir, "buf.yaml"));
  mkdirSync(join(dir, "scripts"));
  cpSync(join(repoRoot, script), join(dir, script));
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, ".gitignore"), "node_modules\n");
  const git = async (...args: string[]) => {
    const res = await run("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
  };
  const edit = (from: string, to: string) => {
    const file = join(dir, organizationProto);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, to));
  };
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("commit", "-q", "-m", "proto");
  return { dir, git, edit };
}

describe("buf breaking against main's previous proto/ (scripts/check-proto-breaking.sh)", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const check = async (dir: string) => run("bash", [script], { cwd: dir, timeoutMs: 60_000 });

  it("passes on this repository's own history", async () => {
    const res = await run("bash", [script], { cwd: repoRoot, timeoutMs: 60_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/proto breaking check: (proto\/ is wire- and JSON-compatible with|NOT RUN)/);
  });

  it("says it did not run when the previous commit has no proto/", async () => {
    const { dir, git } = await scratchRepo();
    dirs.push(dir);
    await git("rm", "-q", "-r", "--cached", "proto");
    await git("commit", "-q", "-m", "without proto");
    await git("add", "-A");
    await git("commit", "-q", "-m", "proto again");
    const res = await check(dir);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/NOT RUN: \w+ has no proto\//);
  });

  it("fails when a field is renumbered: uncommitted, committed on a branch, and after it lands on main", async () => {
    const { dir, git, edit } = await scratchRepo();
    dirs.push(dir);
    await git("checkout", "-q", "-b", "feature");
    edit("bool allow_unverified_email_account_linking = 9;", "bool allow_unverified_email_account_linking = 10;");
    const uncommitted = await check(dir);
    expect(uncommitted.code).not.toBe(0);
    expect(uncommitted.stdout + uncommitted.stderr).toContain('Previously present field "9" with name "allow_unverified_email_account_linking"');

    await git("commit", "-q", "-am", "renumber");
    const onBranch = await check(dir);
    expect(onBranch.code).not.toBe(0);
    await git("checkout", "-q", "main");
    await git("merge", "-q", "--ff-only", "feature");
    const onMain = await check(dir);
    expect(onMain.code).not.toBe(0);
  });

  it("fails when a field's JSON name changes", async () => {
    const { dir, git, edit } = await scratchRepo();
    dirs.push(dir);
    await git("commit", "-q", "--allow-empty", "-m", "second");
    edit("google.protobuf.Timestamp token_expires_at = 8;", 'google.protobuf.Timestamp token_expires_at = 8 [json_name = "tokenExpiry"];');
    const res = await check(dir);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/json_name|JSON name/i);
  });

  it("passes when a field is added", async () => {
    const { dir, git, edit } = await scratchRepo();
    dirs.push(dir);
    await git("commit", "-q", "--allow-empty", "-m", "second");
    edit("bool allow_unverified_email_account_linking = 9;\n", "bool allow_unverified_email_account_linking = 9;\n  string description = 10;\n");
    const res = await check(dir);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain("compatible with");
  });
});
