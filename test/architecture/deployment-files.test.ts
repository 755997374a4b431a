import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The Dockerfile cannot be built here (no container engine), and docs/deploying.md describes every
 * setting: both are checked against the code they describe, so that neither drifts unnoticed.
 */
const root = new URL("../..", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string>; engines: { node: string } };

  it("builds with the package's own build script and runs what npm start runs", () => {
    expect(dockerfile).toMatch(/^FROM node:20-slim AS build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(pkg.scripts.build).toBeDefined();
    const entry = /node (dist\/\S+\.js)$/.exec(pkg.scripts.start!)?.[1];
    expect(dockerfile).toContain(`CMD ["node", "${entry}"]`);
    // Node 20 satisfies the package's engines field (>=20.19 is what node:20 images carry now).
    expect(pkg.engines.node).toMatch(/^>=20\./);
  });

  it("runs production dependencies only, as a non-root user, with a health check on /healthz and the default port exposed", () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(runtime).toMatch(/^EXPOSE 8080$/m);
    expect(runtime.indexOf("USER node")).toBeLessThan(runtime.indexOf("CMD"));
  });

  it("does not leave out of the build context what the build needs", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    for (const needed of ["src", "gen", "console", "proto", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"]) {
      expect(ignored, needed).not.toContain(needed);
    }
  });
});

describe("docs/deploying.md", () => {
  it("says what every setting the service reads means at scale", () => {
    const doc = read("docs/deploying.md");
    const sources = ["src/config.ts", "src/operations-config.ts"].map(read).join("\n");
    const names = new Set([...sources.matchAll(/(?:env\.|int\(")([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!));
    expect(names.size).toBeGreaterThan(20);
    const table = doc.slice(doc.indexOf("## Every setting, at scale"));
    for (const name of names) expect(table, name).toContain(`\`${name}\``);
  });
});
