import type { ScimAttributes } from "../scim/scim-record.js";

/** What a User tells about the person behind it: the email used for account linking, and a name. */
export interface IdentityFacts {
  /** Primary email, else the first, else the userName when it is an email address; "" when none. */
  email: string;
  /** name.formatted, else given + family name, else displayName, else userName. */
  fullName: string;
}

const EMAIL_SHAPED = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const str = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

export function identityFacts(attributes: ScimAttributes): IdentityFacts {
  const emails = Array.isArray(attributes["emails"]) ? (attributes["emails"] as Record<string, unknown>[]) : [];
  const primary = emails.find((e) => e["primary"] === true) ?? emails[0];
  const userName = str(attributes["userName"]);
  const email = str(primary?.["value"]) || (EMAIL_SHAPED.test(userName) ? userName : "");
  const name = (attributes["name"] ?? {}) as Record<string, unknown>;
  const given = [str(name["givenName"]), str(name["familyName"])].filter((s) => s !== "").join(" ");
  const fullName = str(name["formatted"]) || given || str(attributes["displayName"]) || userName;
  return { email, fullName };
}

/** `active` as stored, with the SCIM default (a User is active unless it says otherwise). */
export const isActive = (attributes: ScimAttributes): boolean => attributes["active"] !== false;

/** The case-insensitive key of a userName or displayName (SCIM's caseExact: false). */
export const caseKey = (value: unknown): string => (typeof value === "string" ? value.toLowerCase() : "");
