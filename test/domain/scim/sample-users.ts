/** A few Users shaped like RFC 7643 §8.2's, varied enough for each RFC 7644 §3.4.2.2 example to select some and not others. */
import type { ScimRecord } from "../../../src/domain/scim/filter.js";

const at = (iso: string) => new Date(iso);

export const SAMPLE_USERS: ScimRecord[] = [
  {
    id: "bjensen-id",
    version: 3,
    created: at("2010-01-23T04:56:22Z"),
    lastModified: at("2011-05-13T04:42:34Z"),
    attributes: {
      userName: "bjensen",
      externalId: "701984",
      name: { familyName: "Jensen", givenName: "Barbara", formatted: "Ms. Barbara J Jensen, III" },
      title: "Tour Guide",
      userType: "Employee",
      active: true,
      emails: [
        { value: "bjensen@example.com", type: "work", primary: true },
        { value: "babs@jensen.org", type: "home" },
      ],
      ims: [{ value: "babs@foo.com", type: "xmpp" }],
      enterprise: { employeeNumber: "701984", manager: { value: "boss-id" } },
    },
  },
  {
    id: "jsmith-id",
    version: 1,
    created: at("2011-01-01T00:00:00Z"),
    lastModified: at("2011-05-14T00:00:00Z"),
    attributes: {
      userName: "JSmith",
      name: { familyName: "O'Malley", givenName: "John" },
      title: "",
      userType: "Intern",
      active: true,
      emails: [{ value: "js@example.org", type: "work" }],
    },
  },
  {
    id: "alice-id",
    version: 1,
    created: at("2011-02-01T00:00:00Z"),
    lastModified: at("2011-05-12T00:00:00Z"),
    attributes: {
      userName: "alice",
      userType: "Employee",
      active: false,
      emails: [{ value: "alice@EXAMPLE.COM", type: "home" }],
      ims: [{ value: "alice@bar.com", type: "xmpp" }],
      enterprise: {},
    },
  },
  {
    id: "dave-id",
    version: 1,
    created: at("2011-03-01T00:00:00Z"),
    lastModified: at("2011-06-01T00:00:00Z"),
    attributes: {
      userName: "dave",
      userType: "Contractor",
      emails: [{ value: "dave@other.net", type: "work" }],
    },
  },
];
