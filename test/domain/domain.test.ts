import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { isUuid, newId } from "../../src/domain/ids.js";
import { encodeCursor, parsePageRequest } from "../../src/domain/pagination.js";
import { API_KEY, generateToken, hashSecret, isWellFormed, SCIM_TOKEN } from "../../src/domain/secret-token.js";
import { tokenLifetimeSeconds } from "../../src/domain/token-lifetime.js";

describe("secret tokens", () => {
  it("are prefixed, base62, checksummed and unique", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateToken(SCIM_TOKEN)));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) {
      expect(t).toMatch(/^scim_[0-9A-Za-z]{46}$/);
      expect(isWellFormed(SCIM_TOKEN, t)).toBe(true);
      expect(isWellFormed(API_KEY, t)).toBe(false);
    }
  });

  it("reject any single-character typo by checksum", () => {
    const t = generateToken(SCIM_TOKEN);
    for (let i = 5; i < t.length; i++) {
      const c = t[i] === "a" ? "b" : "a";
      expect(isWellFormed(SCIM_TOKEN, t.slice(0, i) + c + t.slice(i + 1))).toBe(false);
    }
    expect(isWellFormed(SCIM_TOKEN, t.slice(0, -1))).toBe(false);
    expect(isWellFormed(SCIM_TOKEN, t + "x")).toBe(false);
  });

  it("hash as hex SHA-256", () => {
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("ids", () => {
  it("are UUIDv7, strictly increasing within a process even in one millisecond", () => {
    const now = new Date();
    const ids = Array.from({ length: 5000 }, () => newId(now));
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe("7");
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("page requests", () => {
  it("default 25, max 100, query wins over body, cursors round-trip", () => {
    expect(parsePageRequest({})).toEqual({ limit: 25, afterId: undefined });
    expect(parsePageRequest({ pageSize: 100 }).limit).toBe(100);
    expect(() => parsePageRequest({ pageSize: 101 })).toThrow("pagination.page_size must be between 0 and 100");
    expect(parsePageRequest({ pageSize: 10 }, { pageSize: "3" }).limit).toBe(3);
    expect(() => parsePageRequest({}, { pageSize: "3x" })).toThrow("pagination.page_size");
    const id = newId();
    expect(parsePageRequest({ token: "ignored" }, { token: encodeCursor(id) }).afterId).toBe(id);
    expect(() => parsePageRequest({ token: Buffer.from("v1:not-a-uuid").toString("base64url") })).toThrow("pagination.token");
  });
});

describe("token lifetime", () => {
  it("is 1 day to 2 years inclusive, whole seconds", () => {
    const d = (s: number, nanos = 0) => ({ seconds: BigInt(s), nanos });
    expect(tokenLifetimeSeconds("f", undefined, 7)).toBe(7);
    expect(tokenLifetimeSeconds("f", d(86400), 0)).toBe(86400);
    expect(tokenLifetimeSeconds("f", d(63072000), 0)).toBe(63072000);
    expect(() => tokenLifetimeSeconds("f", d(86399), 0)).toThrow("f must be between 1 day and 2 years");
    expect(() => tokenLifetimeSeconds("f", d(63072001), 0)).toThrow("f must be between 1 day and 2 years");
    expect(() => tokenLifetimeSeconds("f", d(86400, 1), 0)).toThrow("whole seconds");
  });
});

describe("configuration", () => {
  it("defaults to port 8080 and the embedded store", () => {
    expect(loadConfig({})).toMatchObject({ port: 8080, mongodbUri: undefined, logLevel: "info", initAdmin: undefined });
  });

  it("names every bad variable and its rule", () => {
    const env = { PORT: "70000", MONGODB_URI: "http://x", INIT_ORGANIZATION_ID: "nope", INIT_ADMIN_API_KEY: "short", LOG_LEVEL: "loud", TLS_CERT_FILE: "/x" };
    let message = "";
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    for (const part of [
      "PORT must be a whole number from 0 to 65535",
      "MONGODB_URI must start with mongodb://",
      "INIT_ORGANIZATION_ID must be a UUID",
      "INIT_ADMIN_API_KEY must be 32 to 512 characters",
      "LOG_LEVEL must be one of",
      "TLS_CERT_FILE and TLS_KEY_FILE must be set together",
    ]) {
      expect(message).toContain(part);
    }
    expect(() => loadConfig({ INIT_ADMIN_API_KEY: "x".repeat(40) })).toThrow("INIT_ORGANIZATION_ID and INIT_ADMIN_API_KEY must be set together");
  });
});
