import { expect } from "vitest";
import { createScimTenant, scim, type ScimTenant } from "./scim-client.js";
import type { TestServer } from "./test-server.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** One provisioned person: the SCIM User id and the member's user id. */
export interface Provisioned {
  scimId: string;
  userId: string;
  fullName: string;
  email: string;
}

export interface ProvisioningRun {
  tenant: ScimTenant;
  /** alice, bob, erin active; carol suspended; dave deleted (LEFT). */
  people: Record<"alice" | "bob" | "carol" | "dave" | "erin", Provisioned>;
  /** "Engineering": alice, bob, carol, erin (in that order). */
  groupId: string;
  /** Each change of the run, in order: [action, request id, subject key ("alice", "group") , bulk position]. */
  changes: [string, string, string, number][];
}

/**
 * What an identity provider does on a first sync, through /scim/v2 with the tenant's token: four
 * Users, a suspension, a deletion, a group with members, then a Bulk request adding one more
 * User and putting it in the group. Every call carries an x-request-id (`<prefix>-<n>`), so the
 * audit trail can be matched against it.
 */
export async function runProvisioning(server: TestServer, prefix: string, options: { organizationId?: string; adminKey?: string } = {}): Promise<ProvisioningRun> {
  const organizationId = options.organizationId ?? server.organizationId;
  const t = await createScimTenant(server, options);
  let n = 0;
  const call = async (method: string, path: string, body?: unknown, status = 200) => {
    const requestId = `${prefix}-${++n}`;
    const res = await scim(server, t.token, method, path, body, { "x-request-id": requestId });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    return { body: res.body, requestId };
  };
  const changes: ProvisioningRun["changes"] = [];
  const people = {} as ProvisioningRun["people"];
  const names: [keyof ProvisioningRun["people"], string, string][] = [
    ["alice", "Alice", "Archer"],
    ["bob", "Bob", "Baker"],
    ["carol", "Carol", "Cooper"],
    ["dave", "Dave", "Dunn"],
  ];
  for (const [key, given, family] of names) {
    const email = `${key}@example.com`;
    const { body, requestId } = await call("POST", "/Users", { schemas: [USER], userName: email, name: { givenName: given, familyName: family }, emails: [{ value: email, primary: true }] }, 201);
    people[key] = { scimId: body.id, userId: "", fullName: `${given} ${family}`, email };
    changes.push(["scim.user.create", requestId, key, 0]);
  }
  const suspend = await call("PATCH", `/Users/${people.carol.scimId}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] });
  changes.push(["scim.user.patch", suspend.requestId, "carol", 0]);
  const remove = await call("DELETE", `/Users/${people.dave.scimId}`, undefined, 204);
  changes.push(["scim.user.delete", remove.requestId, "dave", 0]);
  const group = await call("POST", "/Groups", { displayName: "Engineering", members: [{ value: people.alice.scimId }, { value: people.bob.scimId }] }, 201);
  changes.push(["scim.group.create", group.requestId, "group", 0]);
  const add = await call("PATCH", `/Groups/${group.body.id}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: people.carol.scimId }] }] });
  changes.push(["scim.group.patch", add.requestId, "group", 0]);
  const bulk = await call("POST", "/Bulk", {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
    Operations: [
      { method: "POST", path: "/Users", bulkId: "erin", data: { schemas: [USER], userName: "erin@example.com", name: { givenName: "Erin", familyName: "Evans" }, emails: [{ value: "erin@example.com" }] } },
      { method: "PATCH", path: `/Groups/${group.body.id}`, data: { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: "bulkId:erin" }] }] } },
    ],
  });
  expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "200"]);
  people.erin = { scimId: bulk.body.Operations[0].location.split("/").pop(), userId: "", fullName: "Erin Evans", email: "erin@example.com" };
  changes.push(["scim.user.create", bulk.requestId, "erin", 1], ["scim.group.patch", bulk.requestId, "group", 2]);

  // Requests that change nothing leave no entry: a duplicate userName (409) and a PATCH to the same value.
  await call("POST", "/Users", { schemas: [USER], userName: "ALICE@example.com" }, 409);
  await call("PATCH", `/Users/${people.carol.scimId}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] });

  // The members' user ids, as the member records hold them.
  for (const p of Object.values(people)) {
    const user = await server.app.stores.scimUsers.get(t.scimConfigurationId, p.scimId);
    p.userId = user?.memberId ?? (await deletedMemberId(server, organizationId, p));
  }
  return { tenant: t, people, groupId: group.body.id, changes };
}

/** A deleted User's member is found by its email. */
async function deletedMemberId(server: TestServer, organizationId: string, p: Provisioned): Promise<string> {
  const [member] = await server.app.stores.members.findByEmail(organizationId, p.email);
  if (!member) throw new Error(`no member for ${p.email}`);
  return member.id;
}
