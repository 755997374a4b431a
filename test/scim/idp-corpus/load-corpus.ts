/**
 * Loads the identity-provider replay corpus: SCIM request bodies copied verbatim from each
 * provider's public documentation, with the state /work/shared/spec/scim.md says they leave.
 *
 * One JSON file per provider (okta.json, entra.json, google.json, jumpcloud.json,
 * onelogin.json), each an array of cases. Every case runs against a fresh SCIM configuration;
 * step paths are relative to the SCIM base (`/scim/v2`). Decoding is strict so that a typo in
 * a corpus file fails here, naming the file, case and field, rather than as a puzzling replay.
 */
import { readFileSync } from "node:fs";

/** The providers the corpus covers, by file stem. */
export const PROVIDER_FILES = {
  okta: "Okta",
  entra: "Microsoft Entra ID",
  google: "Google Workspace",
  jumpcloud: "JumpCloud",
  onelogin: "OneLogin",
} as const;

export type ProviderFile = keyof typeof PROVIDER_FILES;
export type ProviderName = (typeof PROVIDER_FILES)[ProviderFile];
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * A check on one attribute path; several operators in one object must all hold.
 * An absent attribute, null and an empty array are the same state (RFC 7643 §2.5).
 */
export interface Matcher {
  /** The attribute is unassigned. */
  $absent?: true;
  /** The attribute is assigned. */
  $present?: true;
  /** The array has this many elements (an unassigned attribute has 0). */
  $length?: number;
  /** Some element equals this primitive, or has these sub-attribute values. */
  $contains?: unknown;
}

/** An expected value: a JSON primitive compared exactly, or a matcher. */
export type Expected = string | number | boolean | null | Matcher;

export interface CorpusStep {
  /** HTTP method of the request. */
  method: HttpMethod;
  /** Request target below the SCIM base, query included, as the source writes it; may hold placeholders. */
  path: string;
  /** JSON request body, verbatim from the source except for placeholders. */
  body?: unknown;
  /** A request body that is not JSON (sent as is with a JSON content type). */
  rawBody?: string;
  /** "none": send the request without the Authorization header. */
  auth?: "none";
  /** Values to keep from the response body: placeholder name → attribute path (e.g. "id"). */
  save?: Record<string, string>;
  /** The status the spec requires. */
  expectStatus: number;
  /** Checks on the response body: attribute path → expected value. */
  expect?: Record<string, Expected>;
  /** The request is not shown in the source; it stands in for traffic the source only describes or implies. */
  constructed?: boolean;
  /** Why the step is there, or how it differs from the source. */
  note?: string;
}

export interface CorpusCase {
  /** Unique across the corpus, prefixed with the file stem. */
  id: string;
  /** The identity provider whose documentation holds the bodies. */
  provider: ProviderName;
  /** https URL of the page (or file, at a fixed commit) the bodies come from. */
  source: string;
  /** What the provider does with these requests, in one line. */
  note: string;
  /** Where the spec leaves the expectation open, what was assumed. */
  doubt?: string;
  /** Literal tokens of the source's own templating ({{randomUsername}}, …) → the value the replay sends. */
  vars?: Record<string, string>;
  /** The requests, in order, each with what the spec says it must leave behind. */
  steps: CorpusStep[];
  /** The file the case came from. */
  file: ProviderFile;
}

const CORPUS_DIR = new URL("./", import.meta.url);
const METHODS: readonly string[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const MATCHER_KEYS: readonly string[] = ["$absent", "$present", "$length", "$contains"];

/** Every case of every provider file, in file order. */
export function loadCorpus(dir: URL = CORPUS_DIR): CorpusCase[] {
  return (Object.keys(PROVIDER_FILES) as ProviderFile[]).flatMap((file) => loadProviderFile(file, dir));
}

/** The cases of one provider file, decoded and checked field by field. */
export function loadProviderFile(file: ProviderFile, dir: URL = CORPUS_DIR): CorpusCase[] {
  const where = `${file}.json`;
  const parsed: unknown = JSON.parse(readFileSync(new URL(where, dir), "utf8"));
  if (!Array.isArray(parsed)) throw new CorpusError(`${where}: expected an array of cases`);
  return parsed.map((raw, i) => decodeCase(raw, file, `${where}[${i}]`));
}

export class CorpusError extends Error {}

function decodeCase(raw: unknown, file: ProviderFile, at: string): CorpusCase {
  const o = record(raw, at);
  const id = text(o.id, `${at}.id`);
  const where = `${file}.json ${id}`;
  const provider = text(o.provider, `${where}.provider`);
  if (provider !== PROVIDER_FILES[file]) {
    throw new CorpusError(`${where}.provider: "${provider}" in ${file}.json, expected "${PROVIDER_FILES[file]}"`);
  }
  const steps = o.steps;
  if (!Array.isArray(steps) || steps.length === 0) throw new CorpusError(`${where}.steps: expected a non-empty array`);
  return {
    id,
    provider: provider as ProviderName,
    source: text(o.source, `${where}.source`),
    note: text(o.note, `${where}.note`),
    ...(o.doubt === undefined ? {} : { doubt: text(o.doubt, `${where}.doubt`) }),
    ...(o.vars === undefined ? {} : { vars: stringMap(o.vars, `${where}.vars`) }),
    steps: steps.map((s, i) => decodeStep(s, `${where}.steps[${i}]`)),
    file,
  };
}

function decodeStep(raw: unknown, at: string): CorpusStep {
  const o = record(raw, at);
  const method = text(o.method, `${at}.method`);
  if (!METHODS.includes(method)) throw new CorpusError(`${at}.method: "${method}" is not one of ${METHODS.join(", ")}`);
  const status = o.expectStatus;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new CorpusError(`${at}.expectStatus: expected an HTTP status code`);
  }
  if (o.body !== undefined && o.rawBody !== undefined) throw new CorpusError(`${at}: body and rawBody are exclusive`);
  if (o.auth !== undefined && o.auth !== "none") throw new CorpusError(`${at}.auth: only "none" is defined`);
  if (o.constructed !== undefined && o.constructed !== true) throw new CorpusError(`${at}.constructed: only true is meaningful`);
  const step: CorpusStep = { method: method as HttpMethod, path: text(o.path, `${at}.path`), expectStatus: status };
  if (o.body !== undefined) step.body = o.body;
  if (o.rawBody !== undefined) step.rawBody = text(o.rawBody, `${at}.rawBody`);
  if (o.auth === "none") step.auth = "none";
  if (o.save !== undefined) step.save = stringMap(o.save, `${at}.save`);
  if (o.expect !== undefined) step.expect = decodeExpect(o.expect, `${at}.expect`);
  if (o.constructed === true) step.constructed = true;
  if (o.note !== undefined) step.note = text(o.note, `${at}.note`);
  return step;
}

function decodeExpect(raw: unknown, at: string): Record<string, Expected> {
  const o = record(raw, at);
  for (const [key, value] of Object.entries(o)) {
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) throw new CorpusError(`${at}["${key}"]: arrays are compared with $length / $contains`);
    const ops = Object.keys(value);
    const unknown = ops.filter((k) => !MATCHER_KEYS.includes(k));
    if (ops.length === 0 || unknown.length > 0) {
      throw new CorpusError(`${at}["${key}"]: a matcher takes only ${MATCHER_KEYS.join(", ")} (got ${ops.join(", ") || "nothing"})`);
    }
  }
  return o as Record<string, Expected>;
}

function record(raw: unknown, at: string): Record<string, unknown> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new CorpusError(`${at}: expected an object`);
  return raw as Record<string, unknown>;
}

function text(raw: unknown, at: string): string {
  if (typeof raw !== "string" || raw.length === 0) throw new CorpusError(`${at}: expected a non-empty string`);
  return raw;
}

function stringMap(raw: unknown, at: string): Record<string, string> {
  const o = record(raw, at);
  for (const [key, value] of Object.entries(o)) text(value, `${at}["${key}"]`);
  return o as Record<string, string>;
}
