import { ScalarType, type DescEnum, type DescField, type DescMessage, type JsonObject } from "@bufbuild/protobuf";
import { parseJson } from "./json-syntax.js";
import { closest, describeJson, hasLoneSurrogate, isPlainObject } from "./json-words.js";

/**
 * Checks a Connect JSON request against the method's input message before protobuf-es parses
 * it, and says what is wrong in the caller's terms: the field path in snake_case
 * (`pagination.page_size`, `email_domains[2]`, `claims["team"]`) and the rule, where
 * protobuf-es would say "cannot decode message google.protobuf.Duration from JSON".
 *
 * Unknown fields and unknown enum values (names, and numbers the enum does not define) are
 * refused on every RPC: a misspelled `"enabeld": false` must not answer 200 and change nothing.
 * An explicit `null` is the field's absence (the Python SDK sends None as null), as in protojson.
 * Returns the message, or undefined when the request may be parsed.
 */
export function checkJsonRequest(schema: DescMessage, text: string): string | undefined {
  const read = readJsonRequest(schema, text);
  return read.ok ? undefined : read.problem;
}

/**
 * The same check, returning the parsed request when it passes: the transport hands that to
 * connect-es (which then builds the message from it), so a body is parsed once, not twice.
 */
export function readJsonRequest(schema: DescMessage, text: string): { ok: true; value: JsonObject } | { ok: false; problem: string } {
  if (text.trim() === "") return { ok: false, problem: "the request body is empty: send a JSON object, at least {}" };
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const { line, column, position, expected } = parsed.error;
    return { ok: false, problem: `the request body is not valid JSON: expected ${expected} at line ${line}, column ${column} (position ${position})` };
  }
  if (!isPlainObject(parsed.value)) return { ok: false, problem: `the request body must be a JSON object, at least {} (got ${describeJson(parsed.value)})` };
  const problem = checkMessage(schema, parsed.value, "");
  return problem === undefined ? { ok: true, value: parsed.value as JsonObject } : { ok: false, problem };
}

// Each message's fields by JSON name and proto name, made once per message type.
const fieldsByKey = new WeakMap<DescMessage, Map<string, DescField>>();

function checkMessage(schema: DescMessage, json: Record<string, unknown>, path: string): string | undefined {
  let byKey = fieldsByKey.get(schema);
  if (!byKey) {
    byKey = new Map();
    for (const field of schema.fields) {
      byKey.set(field.jsonName, field);
      byKey.set(field.name, field);
    }
    fieldsByKey.set(schema, byKey);
  }
  const seen = new Map<DescField, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = byKey.get(key);
    if (!field) return unknownField(schema, key, path);
    const earlier = seen.get(field);
    if (earlier !== undefined) return `${join(path, field.name)} is given twice, as "${earlier}" and as "${key}"`;
    seen.set(field, key);
    if (value === null) continue; // absent, as protojson reads null
    const problem = checkField(field, value, join(path, field.name));
    if (problem) return problem;
  }
  return undefined;
}

function checkField(field: DescField, value: unknown, path: string): string | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return checkScalar(field.scalar, value, path);
    case "enum":
      return checkEnum(field.enum, value, path);
    case "message":
      return checkMessageValue(field.message, value, path);
    case "list": {
      if (!Array.isArray(value)) return `${path} must be a list (a JSON array) (got ${describeJson(value)})`;
      for (const [i, item] of value.entries()) {
        const at = `${path}[${i}]`;
        if (item === null) return `${at} must not be null`;
        const problem =
          field.listKind === "scalar" ? checkScalar(field.scalar, item, at) : field.listKind === "enum" ? checkEnum(field.enum, item, at) : checkMessageValue(field.message, item, at);
        if (problem) return problem;
      }
      return undefined;
    }
    case "map": {
      if (!isPlainObject(value)) return `${path} must be a JSON object of keys and values (got ${describeJson(value)})`;
      for (const [key, item] of Object.entries(value)) {
        const at = `${path}[${JSON.stringify(key)}]`;
        const keyProblem = checkMapKey(field.mapKey, key, path);
        if (keyProblem) return keyProblem;
        if (item === null) return `${at} must not be null`;
        const problem =
          field.mapKind === "scalar" ? checkScalar(field.scalar, item, at) : field.mapKind === "enum" ? checkEnum(field.enum, item, at) : checkMessageValue(field.message, item, at);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}

function checkMessageValue(schema: DescMessage, value: unknown, path: string): string | undefined {
  switch (schema.typeName) {
    case "google.protobuf.Duration":
      return checkDuration(value, path);
    case "google.protobuf.Timestamp":
      return checkTimestamp(value, path);
  }
  // Other well-known types have JSON forms of their own (Struct, Value, wrappers, FieldMask):
  // none is used by the served messages; protobuf-es judges them.
  if (schema.typeName.startsWith("google.protobuf.") && schema.typeName !== "google.protobuf.Empty") return undefined;
  if (!isPlainObject(value)) return `${path} must be a JSON object (a ${schema.name}) (got ${describeJson(value)})`;
  return checkMessage(schema, value, path);
}

const INT32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const UINT32 = { min: 0n, max: 2n ** 32n - 1n };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };

function checkScalar(type: ScalarType, value: unknown, path: string): string | undefined {
  switch (type) {
    case ScalarType.STRING:
      if (typeof value !== "string") return `${path} must be a string (got ${describeJson(value)})`;
      if (hasLoneSurrogate(value)) return `${path} must be valid UTF-8 text: it contains an unpaired surrogate (a \\uD800-\\uDFFF escape without its pair)`;
      return undefined;
    case ScalarType.BOOL:
      return typeof value === "boolean" ? undefined : `${path} must be true or false (got ${describeJson(value)})`;
    case ScalarType.BYTES:
      return typeof value === "string" && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value) ? undefined : `${path} must be base64 text (got ${describeJson(value)})`;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      if (typeof value === "number") return undefined;
      if (typeof value === "string" && (["NaN", "Infinity", "-Infinity"].includes(value) || (value.trim() === value && value !== "" && !Number.isNaN(Number(value))))) return undefined;
      return `${path} must be a number (got ${describeJson(value)})`;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return checkInteger(value, path, INT32);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return checkInteger(value, path, UINT32);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return checkInteger(value, path, UINT64);
    default:
      return checkInteger(value, path, INT64);
  }
}

/** protojson takes integers as JSON numbers or as strings ("25"); either must be whole. */
function checkInteger(value: unknown, path: string, range: { min: bigint; max: bigint }): string | undefined {
  let n: bigint | undefined;
  if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === "string" && /^-?\d+$/.test(value)) n = BigInt(value);
  else if (typeof value === "string" && value.trim() === value && value !== "" && Number.isInteger(Number(value))) n = BigInt(Number(value));
  if (n === undefined) return `${path} must be a whole number (got ${describeJson(value)})`;
  if (n < range.min || n > range.max) return `${path} must be a whole number from ${range.min} to ${range.max} (got ${describeJson(value)})`;
  return undefined;
}

function checkMapKey(type: ScalarType, key: string, path: string): string | undefined {
  if (type === ScalarType.STRING) return !hasLoneSurrogate(key) ? undefined : `${path} keys must be valid UTF-8 text`;
  if (type === ScalarType.BOOL) return key === "true" || key === "false" ? undefined : `${path} keys must be "true" or "false" (got ${JSON.stringify(key)})`;
  return /^-?\d+$/.test(key) ? undefined : `${path} keys must be whole numbers (got ${JSON.stringify(key)})`;
}

function checkEnum(schema: DescEnum, value: unknown, path: string): string | undefined {
  if (typeof value === "string" && schema.values.some((v) => v.name === value)) return undefined;
  if (typeof value === "number" && schema.values.some((v) => v.number === value)) return undefined;
  const names = schema.values.map((v) => v.name);
  const suggestion = typeof value === "string" ? closest(value, names) : undefined;
  return `${path} must be one of ${names.join(", ")} (got ${describeJson(value)})${suggestion ? `; did you mean "${suggestion}"?` : ""}`;
}

const DURATION = /^-?\d{1,12}(?:\.\d{1,9})?s$/;

function checkDuration(value: unknown, path: string): string | undefined {
  if (typeof value === "string" && DURATION.test(value)) return undefined;
  return `${path} must be a duration in seconds like "86400s" (got ${describeJson(value)})`;
}

// protobuf-es's own grammar for a Timestamp: fractions of 3 to 9 digits, Z or an offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|\.\d{3,9}Z|[+-]\d{2}:\d{2})$/;

function checkTimestamp(value: unknown, path: string): string | undefined {
  if (typeof value === "string" && RFC3339.test(value) && !Number.isNaN(Date.parse(value))) return undefined;
  return `${path} must be an RFC 3339 timestamp like "2027-07-10T12:00:00Z" (got ${describeJson(value)})`;
}

function unknownField(schema: DescMessage, key: string, path: string): string {
  const known = schema.fields.map((f) => f.jsonName);
  const suggestion = closest(key, [...known, ...schema.fields.map((f) => f.name)]);
  const suggested = suggestion === undefined ? undefined : schema.fields.find((f) => f.name === suggestion || f.jsonName === suggestion)?.jsonName;
  const where = path === "" ? schema.name : `${path} (a ${schema.name})`;
  const hint = suggested ? `; did you mean "${suggested}"?` : "";
  const list = known.length === 0 ? `${schema.name} has no fields: send {}` : `known fields: ${known.join(", ")}`;
  return `unknown field ${JSON.stringify(key)} in ${where}${hint} (${list})`;
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}
