import { describe, expect, it } from "vitest";
import { actionLabel, actorLabel, statusLabel, subjectLabel } from "../../console/src/labels.js";
import { ResourceType } from "../../gen/gitpod/v1/event_pb.js";
import { UserStatus } from "../../gen/gitpod/v1/user_pb.js";
import { AUDIT_ACTION } from "../../src/domain/audit/audit-entry.js";

describe("console labels", () => {
  it("names every action the service records in words", () => {
    for (const action of Object.values(AUDIT_ACTION)) expect(actionLabel(action), action).not.toBe(action);
    expect(actionLabel("something.new")).toBe("something.new");
  });

  it("names actors: SCIM configurations by name, the CLI, start-up, API keys by the start of their id", () => {
    const names = new Map([["cfg-1", "Okta"]]);
    expect(actorLabel("cfg-1", names)).toBe("SCIM: Okta");
    expect(actorLabel("cli", names)).toBe("Admin CLI");
    expect(actorLabel("startup", names)).toBe("Service start-up");
    expect(actorLabel("01a21860-d409-7780-99a1-22cb8c61925a", names)).toBe("API key 01a21860…");
  });

  it("names statuses and subject types", () => {
    expect(statusLabel(UserStatus.SUSPENDED)).toEqual({ text: "Suspended", badge: "warn" });
    expect(statusLabel(UserStatus.LEFT).text).toBe("Left");
    expect(subjectLabel(ResourceType.SERVICE_ACCOUNT_TOKEN)).toBe("API key");
    expect(subjectLabel(ResourceType.RUNNER)).toBe("Resource");
  });
});
