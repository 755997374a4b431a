/**
 * The User schema (RFC 7643 §4.1, characteristics of §8.7.1) and the Enterprise User extension
 * (§4.3, §8.7.1). Descriptions are short paraphrases of the RFC's; characteristics follow §8.7.1
 * exactly except where a comment says otherwise.
 */
import { attr, complex, plural, primarySub, SCIM_URN, type SchemaDef } from "./attribute-def.js";

const nameParts: [string, string][] = [
  ["formatted", "The full name, including all middle names, titles and suffixes, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."],
  ["familyName", "The family name of the User, or last name in most Western languages (e.g., 'Jensen')."],
  ["givenName", "The given name of the User, or first name in most Western languages (e.g., 'Barbara')."],
  ["middleName", "The middle name(s) of the User (e.g., 'Jane')."],
  ["honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.')."],
  ["honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III')."],
];

const addressParts: [string, string][] = [
  ["formatted", "The full mailing address, formatted for display or use with a mailing label; may contain newlines."],
  ["streetAddress", "The full street address component (house number, street name, P.O. box, extended lines); may contain newlines."],
  ["locality", "The city or locality component."],
  ["region", "The state or region component."],
  ["postalCode", "The zip code or postal code component."],
  ["country", "The country name component."],
];

export const USER_SCHEMA: SchemaDef = {
  id: SCIM_URN.user,
  name: "User",
  description: "User Account",
  attributes: [
    attr("userName", "string", "Unique identifier for the User, typically used to authenticate to the service provider; unique among this configuration's Users, compared case-insensitively. REQUIRED.", {
      required: true,
      uniqueness: "server",
    }),
    complex(
      "name",
      "The components of the User's real name.",
      nameParts.map(([n, d]) => attr(n, "string", d)),
    ),
    attr("displayName", "string", "The name of the User, suitable for display to end-users."),
    attr("nickName", "string", "The casual way to address the User in real life, e.g., 'Bob' instead of 'Robert'."),
    attr("profileUrl", "reference", "A fully qualified URL pointing to a page representing the User's online profile.", { referenceTypes: ["external"] }),
    attr("title", "string", "The User's title, such as 'Vice President'."),
    attr("userType", "string", "The relationship between the organization and the User, e.g., 'Contractor', 'Employee', 'Intern'."),
    attr("preferredLanguage", "string", "The User's preferred written or spoken language, e.g., 'en-US'."),
    attr("locale", "string", "The User's default location for localizing currency, dates and numbers, e.g., 'en-US'."),
    attr("timezone", "string", "The User's time zone in the IANA ('Olson') format, e.g., 'America/Los_Angeles'."),
    attr("active", "boolean", "The User's administrative status: false suspends the organization member when no other identity of it is active."),
    attr("password", "string", "The User's cleartext password, accepted on create and replace; kept only as a salted hash and never returned.", {
      mutability: "writeOnly",
      returned: "never",
    }),
    plural("emails", "Email addresses for the User.", { valueDescription: "An email address of the User.", canonicalTypes: ["work", "home", "other"] }),
    plural("phoneNumbers", "Phone numbers for the User.", {
      valueDescription: "A phone number of the User.",
      canonicalTypes: ["work", "home", "mobile", "fax", "pager", "other"],
    }),
    plural("ims", "Instant messaging addresses for the User.", {
      valueDescription: "An instant messaging address of the User.",
      canonicalTypes: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
    }),
    plural("photos", "URLs of photos of the User.", {
      valueType: "reference",
      valueDescription: "URL of a photo of the User.",
      referenceTypes: ["external"],
      canonicalTypes: ["photo", "thumbnail"],
    }),
    // §8.7.1 omits `primary` from addresses, but §4.1.2 and the §8.2 example use it: we keep it.
    complex(
      "addresses",
      "Physical mailing addresses for the User.",
      [
        ...addressParts.map(([n, d]) => attr(n, "string", d)),
        attr("type", "string", "A label indicating the address's function, e.g., 'work' or 'home'.", { canonicalValues: ["work", "home", "other"] }),
        primarySub(),
      ],
      { multiValued: true },
    ),
    complex(
      "groups",
      "The Groups the User belongs to, computed from Group memberships (direct only: nested groups are not supported).",
      [
        attr("value", "string", "The id of the Group.", { mutability: "readOnly" }),
        attr("$ref", "reference", "The URI of the Group.", { mutability: "readOnly", referenceTypes: ["User", "Group"] }),
        attr("display", "string", "The Group's displayName.", { mutability: "readOnly" }),
        attr("type", "string", "How the User belongs to the Group: always 'direct' here.", { mutability: "readOnly", canonicalValues: ["direct", "indirect"] }),
      ],
      { multiValued: true, mutability: "readOnly" },
    ),
    plural("entitlements", "Entitlements of the User: things the User has.", { valueDescription: "The value of an entitlement." }),
    plural("roles", "Roles of the User, e.g., 'Student', 'Faculty'.", { valueDescription: "The value of a role." }),
    plural("x509Certificates", "X.509 certificates issued to the User.", { valueType: "binary", valueDescription: "A DER-encoded X.509 certificate, base64-encoded." }),
  ],
};

export const ENTERPRISE_USER_SCHEMA: SchemaDef = {
  id: SCIM_URN.enterpriseUser,
  name: "EnterpriseUser",
  description: "Enterprise User",
  storageKey: "enterprise",
  attributes: [
    attr("employeeNumber", "string", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
    attr("costCenter", "string", "Identifies the name of a cost center."),
    attr("organization", "string", "Identifies the name of an organization."),
    attr("division", "string", "Identifies the name of a division."),
    attr("department", "string", "Identifies the name of a department."),
    complex("manager", "The User's manager, referencing the id of another User.", [
      attr("value", "string", "The id of the SCIM User representing the User's manager."),
      attr("$ref", "reference", "The URI of the SCIM User representing the User's manager.", { referenceTypes: ["User"] }),
      attr("displayName", "string", "The displayName of the User's manager.", { mutability: "readOnly" }),
    ]),
  ],
};
