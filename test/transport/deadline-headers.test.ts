import { describe, expect, it } from "vitest";
import { capDeadlineHeaders } from "../../src/transport/deadline-headers.js";

describe("deadline headers are capped at the maximum, never refused or unbounded", () => {
  const capped = (name: string, value: string) => {
    const header = new Headers({ [name]: value });
    capDeadlineHeaders(header, 30_000);
    return header.get(name);
  };

  it("Connect-Timeout-Ms: 0 and values over the maximum become the maximum; others stay", () => {
    expect(capped("connect-timeout-ms", "0")).toBe("30000");
    expect(capped("connect-timeout-ms", "9999999999")).toBe("30000");
    expect(capped("connect-timeout-ms", "1500")).toBe("1500");
    expect(capped("connect-timeout-ms", "abc")).toBe("abc"); // connect-es refuses it as invalid_argument
  });

  it("grpc-timeout in every unit", () => {
    expect(capped("grpc-timeout", "99999999H")).toBe("30000m");
    expect(capped("grpc-timeout", "0S")).toBe("30000m");
    expect(capped("grpc-timeout", "31S")).toBe("30000m");
    expect(capped("grpc-timeout", "2S")).toBe("2S");
    expect(capped("grpc-timeout", "500000u")).toBe("500000u");
  });
});
