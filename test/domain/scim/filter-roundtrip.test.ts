import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFilter, parseFilter } from "../../../src/domain/scim/filter.js";
import { GROUP_RESOURCE, USER_RESOURCE } from "../../../src/domain/scim/schema.js";
import { filterablePaths, filters } from "./filter-arbitrary.js";

describe("parseFilter(formatFilter(ast)) equals ast", () => {
  for (const resource of [USER_RESOURCE, GROUP_RESOURCE]) {
    it(`for random ${resource.name} filters built from the schema`, () => {
      fc.assert(
        fc.property(filters(resource), (ast) => {
          expect(parseFilter(resource, formatFilter(ast))).toEqual(ast);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it("covers every filterable path of both resources", () => {
    expect(filterablePaths(USER_RESOURCE).map((p) => p.scimPath)).toEqual(expect.arrayContaining(["userName", "emails.value", "meta.created", "schemas", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"]));
    expect(filterablePaths(USER_RESOURCE).map((p) => p.scimPath)).not.toEqual(expect.arrayContaining(["password"]));
    expect(filterablePaths(GROUP_RESOURCE).map((p) => p.scimPath)).toEqual(["schemas", "id", "externalId", "meta.created", "meta.lastModified", "displayName"]);
  });
});
