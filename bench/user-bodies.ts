/**
 * POST /Users bodies as Okta and Microsoft Entra ID send them (their public SCIM documentation's
 * create requests: Okta's with the enterprise extension and a password, Entra's with addresses,
 * phone numbers, a manager and a GUID externalId), alternating by index. Every userName and email
 * is unique for a distinct (run, index), so each POST creates a new User and a new member (no
 * account linking, no 409).
 */

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";

const GIVEN = ["Barbara", "Kenji", "Amara", "Lukas", "Priya", "Mateo", "Ingrid", "Chen", "Fatima", "Olu"];
const FAMILY = ["Jensen", "Tanaka", "Okafor", "Schneider", "Raman", "Garcia", "Lindqvist", "Wei", "Haddad", "Adeyemi"];
const DEPARTMENTS = ["Engineering", "Sales", "Finance", "Support", "Marketing", "Legal"];

/** A deterministic GUID-shaped string (Entra's externalId and manager ids are object GUIDs). */
function guid(run: string, index: number, salt: number): string {
  const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, "0").slice(-width);
  let h = 2166136261 ^ salt;
  for (const ch of `${run}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return `${hex(h, 8)}-${hex(index >>> 16, 4)}-4${hex(index, 3)}-8${hex(salt, 3)}-${hex(h ^ index, 8)}${hex(salt * 7919, 4)}`;
}

/**
 * The body of the `index`-th user of `run` (run tells apart the users of different rounds and
 * sides, so their userNames never collide).
 */
export function userBody(run: string, index: number): Record<string, unknown> {
  const given = GIVEN[index % GIVEN.length]!;
  const family = FAMILY[Math.floor(index / GIVEN.length) % FAMILY.length]!;
  const department = DEPARTMENTS[index % DEPARTMENTS.length]!;
  const employeeNumber = String(100000 + index);
  if (index % 2 === 0) {
    // Okta (SCIM 2.0 reference, "Create the User"): userName is the login email.
    const login = `${given}.${family}.${run}.${index}@example.com`.toLowerCase();
    return {
      schemas: [CORE, ENTERPRISE],
      userName: login,
      name: { givenName: given, familyName: family },
      emails: [{ primary: true, value: login, type: "work" }],
      displayName: `${given} ${family}`,
      locale: "en-US",
      externalId: `00u${guid(run, index, 1).replaceAll("-", "").slice(0, 17)}`,
      groups: [],
      password: `t1meMa$heen-${index}`,
      active: true,
      [ENTERPRISE]: { employeeNumber, department, organization: "Example Corp", costCenter: `CC-${index % 40}` },
    };
  }
  // Microsoft Entra ID (SCIM tutorial, "Create User" request).
  const upn = `${given}.${family}.${run}.${index}@contoso.onmicrosoft.com`;
  return {
    schemas: [CORE, ENTERPRISE],
    externalId: guid(run, index, 2),
    userName: upn,
    active: true,
    addresses: [{ primary: true, type: "work", formatted: "1 Microsoft Way\nRedmond, WA 98052", streetAddress: "1 Microsoft Way", locality: "Redmond", region: "WA", postalCode: "98052", country: "US" }],
    displayName: `${given} ${family}`,
    preferredLanguage: "en-US",
    title: "Engineer",
    name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
    emails: [{ primary: true, type: "work", value: `${given}.${family}.${run}.${index}@contoso.com` }],
    phoneNumbers: [
      { type: "work", value: `+1 425 555 ${String(index % 10000).padStart(4, "0")}` },
      { type: "mobile", value: `+1 206 555 ${String((index * 7) % 10000).padStart(4, "0")}` },
    ],
    [ENTERPRISE]: { employeeNumber, department, manager: { value: guid(run, index + 1, 3) } },
  };
}
