import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimTenant, scim, type ScimTenant } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("SCIM smoke (memory)", () => {
  let server: TestServer;
  let tenant: ScimTenant;
  beforeAll(async () => {
    server = await startTestServer();
    tenant = await createScimTenant(server);
  });
  afterAll(() => server.close());

  it("creates, finds, patches and groups a user", async () => {
    const created = await scim(server, tenant.token, "POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "Bjensen@example.com",
      name: { givenName: "Barbara", familyName: "Jensen" },
      emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
      active: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.headers.get("location")).toBe(created.body.meta.location);
    const found = await scim(server, tenant.token, "GET", `/Users?filter=${encodeURIComponent('userName eq "bjensen@example.com"')}`);
    expect(found.body.totalResults).toBe(1);
    const patched = await scim(server, tenant.token, "PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.active).toBe(false);
    const group = await scim(server, tenant.token, "POST", "/Groups", { displayName: "Engineering", members: [{ value: id }] });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    expect(group.body.members).toEqual([expect.objectContaining({ value: id })]);
    const user = await scim(server, tenant.token, "GET", `/Users/${id}`);
    expect(user.body.groups).toEqual([expect.objectContaining({ value: group.body.id, display: "Engineering" })]);
    const dup = await scim(server, tenant.token, "POST", "/Users", { userName: "BJENSEN@example.com" });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe("uniqueness");
  });
});
