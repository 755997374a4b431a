/**
 * The Group schema (RFC 7643 §4.2, §8.7.1), as this service implements it: displayName is
 * required and unique per configuration (case-insensitively, as Entra ID expects), and members are
 * Users only (no nested groups). `display` is not in §8.7.1's members but identity providers send
 * it and §2.4 defines it for every multi-valued attribute; it is computed (readOnly).
 */
import { attr, complex, SCIM_URN, type SchemaDef } from "./attribute-def.js";

export const GROUP_SCHEMA: SchemaDef = {
  id: SCIM_URN.group,
  name: "Group",
  description: "Group",
  attributes: [
    attr("displayName", "string", "A human-readable name for the Group, unique among this configuration's Groups (compared case-insensitively). REQUIRED.", {
      required: true,
      uniqueness: "server",
    }),
    complex(
      "members",
      "The members of the Group: Users of the same SCIM configuration. Nested groups are not supported: a member must be a User, and a value that names no User of this configuration is ignored.",
      [
        attr("value", "string", "The id of the member User.", { mutability: "immutable" }),
        attr("$ref", "reference", "The URI of the member User.", { mutability: "immutable", referenceTypes: ["User"] }),
        attr("display", "string", "The member User's displayName (else userName).", { mutability: "readOnly" }),
        attr("type", "string", "The type of the member resource: always 'User' (nested groups are not supported).", {
          mutability: "immutable",
          canonicalValues: ["User"],
        }),
      ],
      { multiValued: true },
    ),
  ],
};
