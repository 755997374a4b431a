import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layer rule of design.md, read from the source: which folder of src/ may import which.
 * Top to bottom: the composition root (src/*.ts, cli/) → transport/ → rpc/ and routes/ →
 * auth/, http/ → domain/ ← adapters/. logging/ is a leaf anyone may use; gen/ (generated
 * protobuf code) is for the RPC layer and the root only. observability/ (metrics) sits beside
 * http/: it reads the per-request record, routes/ serves /metrics from it, and the root wires it
 * to the transport and the database driver. Nothing imports upward.
 */
const ALLOWED: Record<string, readonly string[]> = {
  domain: ["domain"],
  logging: ["logging"],
  adapters: ["adapters", "domain"],
  auth: ["auth", "domain"],
  http: ["http", "logging"],
  observability: ["observability", "http"],
  rpc: ["rpc", "domain", "auth", "http", "logging", "gen"],
  routes: ["routes", "domain", "auth", "http", "logging", "observability"],
  transport: ["transport", "http", "logging"],
};

const root = path.resolve(import.meta.dirname, "../..");
const src = path.join(root, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : /\.tsx?$/.test(name) ? [file] : [];
  });
}

/** Relative imports of a file (static, dynamic and type-only), resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, ".ts"));
}

/** The layer a path belongs to: the first folder under src/, "root" for src/*.ts and cli/, "gen" for generated code. */
function layerOf(file: string): string {
  if (file.startsWith(path.join(root, "gen") + path.sep)) return "gen";
  const rel = path.relative(src, file);
  if (rel.startsWith("..")) return "outside";
  const [first, ...rest] = rel.split(path.sep);
  return rest.length === 0 || first === "cli" ? "root" : first!;
}

const files = sourceFiles(src);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => i.startsWith(src + path.sep))]));

describe("layers", () => {
  it("every folder of src/ is a known layer", () => {
    const layers = new Set(files.map(layerOf));
    for (const layer of layers) expect(layer === "root" || layer in ALLOWED, `unknown layer ${layer}`).toBe(true);
  });

  it("no import points up or sideways across layers", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from === "root") continue;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (!ALLOWED[from]!.includes(to)) violations.push(`${path.relative(root, file)} (${from}) imports ${path.relative(root, target)} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("the import graph of src/ has no cycle", () => {
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(src, f)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("the check sees a violation when one is there (it can fail)", () => {
    // A synthetic upward import: domain importing a transport module must be flagged.
    const fake = path.join(src, "domain", "x.ts");
    expect(ALLOWED[layerOf(fake)]!.includes(layerOf(path.join(src, "transport", "listener.ts")))).toBe(false);
  });
});
