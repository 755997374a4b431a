import { MongoNetworkError, MongoServerError } from "mongodb";
import { describe, expect, it } from "vitest";
import { AlreadyExistsError, CONFLICT, KeyCollisionError, StoreUnavailableError } from "../../src/domain/errors.js";
import { guard } from "../../src/adapters/mongo/errors.js";

describe("driver error translation", () => {
  const fail = (err: unknown) => guard(() => Promise.reject(err), { sso_link_unique: () => new AlreadyExistsError(CONFLICT.scimSsoLink) });

  it("turns lost connections into StoreUnavailableError, including Node's unwrapped EPIPE", async () => {
    const epipe = Object.assign(new Error("This socket has been ended by the other party"), { code: "EPIPE" });
    await expect(fail(epipe)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(fail(new MongoNetworkError("connection closed"))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("turns the named unique index into its domain error, also from FerretDB's SQLite message", async () => {
    const ferret = new MongoServerError({ code: 1, errmsg: "UNIQUE constraint failed: index 'scim_abc_sso_link_unique' (2067)" });
    await expect(fail(ferret)).rejects.toEqual(new AlreadyExistsError(CONFLICT.scimSsoLink));
  });

  it("reports a duplicate on an index the caller did not name as a key collision, never as the client's conflict", async () => {
    const dup = new MongoServerError({ code: 11000, errmsg: "E11000 duplicate key error collection: db.scim_configurations index: token_hash_unique" });
    await expect(fail(dup)).rejects.toBeInstanceOf(KeyCollisionError);
  });

  it("passes anything else through for the caller to report as internal", async () => {
    const bug = new TypeError("x is not a function");
    await expect(fail(bug)).rejects.toBe(bug);
  });
});
