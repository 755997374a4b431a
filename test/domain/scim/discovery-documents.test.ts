import { describe, expect, it } from "vitest";
import {
  DEFAULT_SCIM_LIMITS,
  discoveryListResponse,
  findResourceTypeDocument,
  findSchemaDocument,
  resourceTypeDocuments,
  schemaDocuments,
  serviceProviderConfig,
} from "../../../src/domain/scim/discovery-documents.js";
import { SCIM_URN, USER_RESOURCE } from "../../../src/domain/scim/schema.js";

const BASE = "https://id.example.com/";

type Doc = Record<string, unknown> & { attributes?: Doc[]; subAttributes?: Doc[] };
const find = (attrs: Doc[] | undefined, path: string): Doc | undefined =>
  path.split(".").reduce<Doc | undefined>((a, n) => (a ? a.subAttributes : attrs)?.find((x) => x["name"] === n), undefined);

describe("ServiceProviderConfig", () => {
  it("advertises what is implemented, with the limits and the cursor pagination draft's attribute", () => {
    expect(serviceProviderConfig(BASE)).toEqual({
      schemas: [SCIM_URN.serviceProviderConfig],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: { cursor: true, index: true, defaultPaginationMethod: "index", defaultPageSize: 100, maxPageSize: 1000 },
      authenticationSchemes: [
        expect.objectContaining({ type: "oauthbearertoken", primary: true }),
        expect.objectContaining({ type: "oauth2", primary: false, specUri: "https://www.rfc-editor.org/rfc/rfc6749#section-4.4" }),
      ],
      meta: { resourceType: "ServiceProviderConfig", location: "https://id.example.com/scim/v2/ServiceProviderConfig" },
    });
    expect(serviceProviderConfig(BASE, { ...DEFAULT_SCIM_LIMITS, maxPageSize: 50 }).pagination.maxPageSize).toBe(50);
  });
});

describe("ResourceTypes", () => {
  it("lists User with the optional enterprise extension, and Group", () => {
    expect(resourceTypeDocuments(BASE)).toEqual([
      {
        schemas: [SCIM_URN.resourceType],
        id: "User",
        name: "User",
        endpoint: "/Users",
        description: "User Account",
        schema: SCIM_URN.user,
        schemaExtensions: [{ schema: SCIM_URN.enterpriseUser, required: false }],
        meta: { resourceType: "ResourceType", location: "https://id.example.com/scim/v2/ResourceTypes/User" },
      },
      {
        schemas: [SCIM_URN.resourceType],
        id: "Group",
        name: "Group",
        endpoint: "/Groups",
        description: "Group",
        schema: SCIM_URN.group,
        meta: { resourceType: "ResourceType", location: "https://id.example.com/scim/v2/ResourceTypes/Group" },
      },
    ]);
    expect(findResourceTypeDocument(BASE, "user")?.id).toBe("User");
    expect(findResourceTypeDocument(BASE, "Bogus")).toBeUndefined();
  });
});

describe("Schemas", () => {
  const docs = schemaDocuments(BASE) as unknown as Doc[];

  it("lists the resource schemas, then the discovery schemas, each with its location", () => {
    expect(docs.map((d) => d["id"])).toEqual([SCIM_URN.user, SCIM_URN.enterpriseUser, SCIM_URN.group, SCIM_URN.serviceProviderConfig, SCIM_URN.resourceType, SCIM_URN.schema]);
    for (const d of docs) {
      expect(d["schemas"]).toEqual([SCIM_URN.schema]);
      expect(d["meta"]).toEqual({ resourceType: "Schema", location: `https://id.example.com/scim/v2/Schemas/${d["id"] as string}` });
    }
  });

  it("renders schema.ts's definitions with every RFC 7643 §7 characteristic", () => {
    const user = docs[0]!.attributes!;
    expect(user.map((a) => a["name"])).toEqual(USER_RESOURCE.schema.attributes.map((a) => a.name));
    expect(find(user, "userName")).toMatchObject({ type: "string", multiValued: false, required: true, caseExact: false, mutability: "readWrite", returned: "default", uniqueness: "server" });
    expect(find(user, "password")).toMatchObject({ mutability: "writeOnly", returned: "never" });
    expect(find(user, "emails.type")).toMatchObject({ canonicalValues: ["work", "home", "other"] });
    expect(find(user, "groups.$ref")).toMatchObject({ type: "reference", referenceTypes: ["User", "Group"], mutability: "readOnly" });
    expect(find(docs[1]!.attributes, "manager.displayName")).toMatchObject({ mutability: "readOnly" });
    expect(find(docs[2]!.attributes, "members")!["description"]).toMatch(/Nested groups are not supported/);
    const walk = (attrs: Doc[]): void => {
      for (const a of attrs) {
        expect(Object.keys(a)).toEqual(expect.arrayContaining(["name", "type", "multiValued", "description", "required", "caseExact", "mutability", "returned", "uniqueness"]));
        if (a["type"] === "complex") walk(a.subAttributes!);
        else expect(a.subAttributes).toBeUndefined();
      }
    };
    for (const d of docs) walk(d.attributes!);
    expect(find(docs[3]!.attributes, "pagination.defaultPaginationMethod")).toMatchObject({ canonicalValues: ["cursor", "index"] });
  });

  it("finds one schema by URN, case-insensitively", () => {
    expect(findSchemaDocument(BASE, SCIM_URN.enterpriseUser.toUpperCase())?.name).toBe("EnterpriseUser");
    expect(findSchemaDocument(BASE, "urn:bogus")).toBeUndefined();
  });

  it("wraps lists in a ListResponse", () => {
    expect(discoveryListResponse([1, 2])).toEqual({ schemas: [SCIM_URN.listResponse], totalResults: 2, itemsPerPage: 2, startIndex: 1, Resources: [1, 2] });
  });
});
