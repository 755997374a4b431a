import { describe, expect, it } from "vitest";
import { parseExpectPath } from "./corpus-expect.js";
import { placeholderNames, stepStrings, unsavedPlaceholders } from "./corpus-placeholders.js";
import { type CorpusCase, loadCorpus, loadProviderFile, PROVIDER_FILES, type ProviderFile } from "./load-corpus.js";

// Decoding already rejects missing fields, wrong providers and unknown matcher operators.
const corpus = loadCorpus();

/** Runs a check over every case and reports all offenders at once, by id. */
function offenders(check: (c: CorpusCase) => string[]): string[] {
  return corpus.flatMap((c) => check(c).map((problem) => `${c.id}: ${problem}`));
}

describe("identity-provider corpus", () => {
  it("has a file per provider and at least 70 cases in total", () => {
    for (const file of Object.keys(PROVIDER_FILES) as ProviderFile[]) expect(() => loadProviderFile(file)).not.toThrow();
    expect(corpus.length).toBeGreaterThanOrEqual(70);
  });

  it("has unique ids prefixed with their file stem", () => {
    const seen = new Set<string>();
    expect(offenders((c) => {
      const problems = c.id.startsWith(`${c.file}-`) ? [] : [`id not prefixed with "${c.file}-"`];
      if (seen.has(c.id)) problems.push("duplicate id");
      seen.add(c.id);
      return problems;
    })).toEqual([]);
  });

  it("names an https source on every case", () => {
    expect(offenders((c) => {
      try {
        return new URL(c.source).protocol === "https:" ? [] : ["source is not https"];
      } catch {
        return ["source is not a URL"];
      }
    })).toEqual([]);
  });

  it("saves every placeholder before a step uses it", () => {
    expect(offenders(unsavedPlaceholders)).toEqual([]);
  });

  it("declares only vars the case uses", () => {
    expect(offenders((c) => {
      const strings = c.steps.flatMap(stepStrings).join("\n");
      return Object.keys(c.vars ?? {}).filter((token) => !strings.includes(token)).map((token) => `unused var ${token}`);
    })).toEqual([]);
  });

  it("checks resource state in at least one successful response of every case", () => {
    expect(offenders((c) => {
      const checked = c.steps.some((s) => s.expectStatus >= 200 && s.expectStatus < 300 && s.expectStatus !== 204 && Object.keys(s.expect ?? {}).length > 0);
      return checked ? [] : ["no 2xx step checks the response body"];
    })).toEqual([]);
  });

  it("writes every expect key and save path in the expect language", () => {
    expect(offenders((c) => c.steps.flatMap((s, i) => {
      const keys = [...Object.keys(s.expect ?? {}), ...Object.values(s.save ?? {})];
      return keys.flatMap((key) => {
        try {
          parseExpectPath(key);
          return [];
        } catch (e) {
          return [`steps[${i}]: ${(e as Error).message}`];
        }
      });
    }))).toEqual([]);
  });

  it("keeps requests consistent: bodies only on writes, saves only where a body comes back, notes on constructed steps", () => {
    expect(offenders((c) => c.steps.flatMap((s, i) => {
      const problems: string[] = [];
      const hasBody = s.body !== undefined || s.rawBody !== undefined;
      if ((s.method === "GET" || s.method === "DELETE") && hasBody) problems.push(`steps[${i}]: ${s.method} with a body`);
      if (s.method === "POST" && !hasBody) problems.push(`steps[${i}]: POST without a body`);
      if (!s.path.startsWith("/")) problems.push(`steps[${i}]: path must start with "/"`);
      if (s.save && (s.expectStatus < 200 || s.expectStatus >= 300 || s.expectStatus === 204)) problems.push(`steps[${i}]: save on a response without a resource`);
      if (s.constructed && !s.note) problems.push(`steps[${i}]: constructed step without a note`);
      for (const m of Object.values(s.expect ?? {})) {
        if (m !== null && typeof m === "object" && m.$length !== undefined && !(Number.isInteger(m.$length) && m.$length >= 0)) {
          problems.push(`steps[${i}]: $length must be a non-negative integer`);
        }
      }
      return problems;
    }))).toEqual([]);
  });

  it("does not take the sources' own templating for placeholders", () => {
    // Sent literally by Microsoft's collection and OneLogin-style templates: no placeholder inside.
    expect(placeholderNames('"${__UUID}" {$user.email} {"id":"x"}')).toEqual([]);
    expect(placeholderNames("{{randomUsername}} /Users/{userId}", { "{{randomUsername}}": "x" })).toEqual(["userId"]);
  });
});
