/**
 * Records for the SCIM store contract suite: Users and Groups as the use cases store them
 * (attributes in stored form, keys lowercased), members, and a varied set of Users to filter,
 * sort and page.
 */
import { memberNameKey } from "../../src/domain/provisioning/member-list.js";
import { randomUUID } from "node:crypto";
import { newId } from "../../src/domain/ids.js";
import type { MemberRecord, ScimGroupRecord, ScimUserRecord } from "../../src/domain/provisioning/records.js";
import type { ScimAttributes } from "../../src/domain/scim/scim-record.js";

export const T0 = new Date("2026-01-01T00:00:00.000Z");
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A SCIM configuration's identity: both ids a record is scoped by. */
export interface Scope {
  scimConfigurationId: string;
  organizationId: string;
}

export const newScope = (organizationId: string = randomUUID()): Scope => ({ scimConfigurationId: newId(), organizationId });

export function userRecord(scope: Scope, attributes: ScimAttributes, over: Partial<ScimUserRecord> = {}): ScimUserRecord {
  const created = over.created ?? T0;
  return {
    id: newId(),
    version: 1,
    created,
    lastModified: over.lastModified ?? created,
    attributes,
    ...scope,
    memberId: newId(),
    userNameKey: String(attributes["userName"]).toLowerCase(),
    active: attributes["active"] !== false,
    ...over,
  };
}

export function groupRecord(scope: Scope, displayName: string, over: Partial<ScimGroupRecord> = {}): ScimGroupRecord {
  return {
    id: newId(),
    version: 1,
    created: T0,
    lastModified: T0,
    attributes: { displayName, ...(over.attributes ?? {}) },
    ...scope,
    displayNameKey: displayName.toLowerCase(),
    ...over,
  };
}

export function memberRecord(organizationId: string, over: Partial<MemberRecord> = {}): MemberRecord {
  const email = over.email ?? `${randomUUID().slice(0, 8)}@example.com`;
  return {
    id: newId(),
    organizationId,
    email,
    emailKey: email.toLowerCase(),
    fullName: over.fullName ?? "Some One",
    nameKey: memberNameKey(over.fullName ?? "Some One"),
    status: "active",
    loginProvider: newId(),
    createdAt: T0,
    updatedAt: T0,
    formerIdentities: [],
    ...over,
  };
}

const ENTERPRISE = "enterprise";

/**
 * Twelve Users with what the filter table needs: userNames in mixed case, externalIds differing
 * in case only, work and home emails (primary or not), missing titles and names, an inactive
 * User, enterprise departments, and lastModified spread over an hour (created in id order).
 */
export function userSet(scope: Scope): ScimUserRecord[] {
  const rows: ScimAttributes[] = [
    { userName: "Alice", externalId: "ext-1", name: { givenName: "Alice", familyName: "Jensen" }, title: "Engineer", emails: [{ value: "alice@example.com", type: "work", primary: true }], [ENTERPRISE]: { department: "R&D" } },
    { userName: "bob", externalId: "EXT-1", name: { givenName: "Bob", familyName: "Smith" }, emails: [{ value: "bob@home.org", type: "home" }, { value: "bob@example.com", type: "work", primary: true }] },
    { userName: "carol", name: { familyName: "Jensen-Ng" }, title: "Manager", active: false, emails: [{ value: "carol@example.org", type: "work" }] },
    { userName: "Dave", externalId: "ext-4", userType: "Contractor", emails: [{ value: "dave@example.com", type: "home" }], [ENTERPRISE]: { department: "Sales" } },
    { userName: "erin", title: "engineer", emails: [{ value: "ERIN@Example.com", type: "work" }], [ENTERPRISE]: { department: "r&d", employeeNumber: "105" } },
    { userName: "frank", externalId: "ext-6", userType: "Employee", active: false },
    { userName: "Grace", name: { givenName: "Grace" }, title: "Director", emails: [{ value: "grace@corp.example", type: "other" }, { value: "g@example.com", type: "work" }] },
    { userName: "heidi", externalId: "ext-8", title: "Analyst", userType: "Employee" },
    { userName: "ivan.b", emails: [{ value: "ivan@example.com", type: "work" }, { value: "ivan@home.org", type: "home", primary: true }], [ENTERPRISE]: { department: "Sales" } },
    { userName: "judy", title: "Engineer", name: { givenName: "Judy", familyName: "Jensen" }, userType: "Intern" },
    { userName: "Ken", externalId: "ext-11", emails: [{ value: "ken@example.com" }] },
    { userName: "Lou*1", title: "engineer II", active: true },
  ];
  return rows.map((attributes, i) => userRecord(scope, attributes, { created: at(i), lastModified: at(3600 - i * 300) }));
}
