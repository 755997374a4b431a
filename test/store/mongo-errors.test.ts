import { MongoNetworkError, MongoServerError } from "mongodb";
import { describe, expect, it } from "vitest";
import { DuplicateError, StoreUnavailableError } from "../../src/store/errors.js";
import { guard } from "../../src/store/mongo/mongo-errors.js";

describe("driver error translation", () => {
  const fail = (err: unknown) => guard(() => Promise.reject(err), { sso_link_unique: "sso_configuration_id" });

  it("turns lost connections into StoreUnavailableError, including Node's unwrapped EPIPE", async () => {
    const epipe = Object.assign(new Error("This socket has been ended by the other party"), { code: "EPIPE" });
    await expect(fail(epipe)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(fail(new MongoNetworkError("connection closed"))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("names the unique constraint, also from FerretDB's SQLite message", async () => {
    const ferret = new MongoServerError({ code: 1, errmsg: "UNIQUE constraint failed: index 'scim_abc_sso_link_unique' (2067)" });
    await expect(fail(ferret)).rejects.toEqual(new DuplicateError("sso_configuration_id"));
  });

  it("passes anything else through for the caller to report as internal", async () => {
    const bug = new TypeError("x is not a function");
    await expect(fail(bug)).rejects.toBe(bug);
  });
});
