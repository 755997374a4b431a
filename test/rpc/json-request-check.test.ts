import { describe, expect, it } from "vitest";
import {
  CreateSCIMConfigurationRequestSchema,
  SCIMConfigurationSchema,
  UpdateSSOConfigurationRequestSchema,
  UpdateSSOConfigurationResponseSchema,
} from "../../gen/gitpod/v1/organization_pb.js";
import { checkJsonRequest } from "../../src/rpc/json-request-check.js";

/** The rules the real-server tests do not reach: Timestamp, ranges, duplicates, syntax positions. */
describe("checkJsonRequest", () => {
  it("Timestamps must be RFC 3339 in protobuf-es's grammar", () => {
    expect(checkJsonRequest(SCIMConfigurationSchema, '{"createdAt": "2027-07-10T12:00:00Z"}')).toBeUndefined();
    expect(checkJsonRequest(SCIMConfigurationSchema, '{"createdAt": "2027-07-10T12:00:00.123+02:00"}')).toMatch(/^created_at must be an RFC 3339 timestamp/);
    expect(checkJsonRequest(SCIMConfigurationSchema, '{"createdAt": "yesterday"}')).toBe('created_at must be an RFC 3339 timestamp like "2027-07-10T12:00:00Z" (got "yesterday")');
    expect(checkJsonRequest(SCIMConfigurationSchema, '{"createdAt": 1700000000}')).toBe('created_at must be an RFC 3339 timestamp like "2027-07-10T12:00:00Z" (got 1700000000)');
  });

  it("accepts what protojson accepts: snake_case names, integer strings, enum numbers, null", () => {
    expect(checkJsonRequest(CreateSCIMConfigurationRequestSchema, '{"organization_id": "x", "token_expires_in": "86400.5s", "name": null}')).toBeUndefined();
    expect(checkJsonRequest(UpdateSSOConfigurationRequestSchema, '{"state": 2, "emailDomains": [], "claims": {}}')).toBeUndefined();
  });

  it("refuses a field given twice under both names, and a bool that is a string", () => {
    expect(checkJsonRequest(CreateSCIMConfigurationRequestSchema, '{"name": "a", "name": "b", "organization_id": "1", "organizationId": "2"}')).toBe(
      'organization_id is given twice, as "organization_id" and as "organizationId"',
    );
    expect(checkJsonRequest(CreateSCIMConfigurationRequestSchema, '{"allowUnverifiedEmailAccountLinking": "true"}')).toBe(
      'allow_unverified_email_account_linking must be true or false (got "true")',
    );
  });

  it("places syntax errors by line and column, also where V8 gives no position", () => {
    expect(checkJsonRequest(SCIMConfigurationSchema, '{"name": "x",\n "enabled": tru}')).toBe(
      "the request body is not valid JSON: expected a JSON value (object, array, string, number, true, false or null) at line 2, column 13 (position 26)",
    );
    expect(checkJsonRequest(SCIMConfigurationSchema, '{"name": "a\u0001"}')).toMatch(/expected no raw control character inside a string .* at line 1, column 12/);
    expect(checkJsonRequest(SCIMConfigurationSchema, "{} {}")).toMatch(/expected the end of the body after the first JSON value at line 1, column 4/);
    expect(checkJsonRequest(SCIMConfigurationSchema, "[".repeat(100_000))).toMatch(/expected nesting at most 512 levels deep/);
  });

  it("an unknown field of a message without fields says to send {}", () => {
    expect(checkJsonRequest(UpdateSSOConfigurationResponseSchema, '{"nope": 1}')).toBe('unknown field "nope" in UpdateSSOConfigurationResponse (UpdateSSOConfigurationResponse has no fields: send {})');
  });
});
