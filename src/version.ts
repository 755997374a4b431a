import { readFileSync } from "node:fs";

/**
 * The service's version from its package.json, found from this module's place both when run from
 * source (src/version.ts: one level up) and when built (dist/src/version.js: two levels up);
 * "unknown" when neither has it (the build info then says so rather than failing start-up).
 */
export function serviceVersion(): string {
  for (const up of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "scim-config-service" && typeof pkg.version === "string") return pkg.version;
    } catch {
      /* not there: try the next level */
    }
  }
  return "unknown";
}
