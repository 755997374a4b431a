import { Writable } from "node:stream";
import { Code, ConnectError, createContextValues, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/domain/errors.js";
import type { RequestInfo } from "../../src/http/request-info.js";
import { kRequestInfo } from "../../src/http/request-info.js";
import { createLogger } from "../../src/logging/logger.js";
import { createCallInterceptor } from "../../src/rpc/call-interceptor.js";
import { kPrincipal } from "../../src/rpc/context.js";

// The one interceptor every RPC passes through, called directly: the end-to-end suites cover it
// wired into the app; this checks each of its three jobs on its own, including the fail-closed
// refusal that a correctly wired app never reaches.

function logLines(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

function request(options: { principal?: boolean; service?: string; signal?: AbortSignal } = {}): { req: UnaryRequest; info: RequestInfo } {
  const values = createContextValues();
  const info = {} as RequestInfo;
  values.set(kRequestInfo, info);
  if (options.principal ?? true) values.set(kPrincipal, { organizationId: "org", role: "admin", apiKeyId: "key" });
  const req = {
    stream: false,
    service: { typeName: options.service ?? "gitpod.v1.OrganizationService" },
    method: { name: "GetSCIMConfiguration" },
    signal: options.signal ?? new AbortController().signal,
    contextValues: values,
  } as unknown as UnaryRequest;
  return { req, info };
}

const answer = { stream: false } as unknown as UnaryResponse;

describe("the call interceptor", () => {
  it("refuses a call to a closed service that carries no principal, without calling the implementation", async () => {
    const { logger } = logLines();
    let called = false;
    const call = createCallInterceptor(logger, new Set(["grpc.health.v1.Health"]))(async () => {
      called = true;
      return answer;
    });
    const { req, info } = request({ principal: false });
    const err = await call(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unauthenticated);
    expect(info.code).toBe("unauthenticated");
    expect(called).toBe(false);
    // An open service needs none.
    const open = request({ principal: false, service: "grpc.health.v1.Health" });
    await expect(call(open.req)).resolves.toBe(answer);
    expect(open.info.code).toBe("ok");
  });

  it("answers at the deadline while the implementation still waits, and drops its later outcome", async () => {
    const { logger, lines } = logLines();
    const controller = new AbortController();
    let finish: (r: UnaryResponse) => void = () => undefined;
    const call = createCallInterceptor(logger)(() => new Promise<UnaryResponse>((resolve) => (finish = resolve)));
    const { req, info } = request({ signal: controller.signal });
    const pending = call(req);
    controller.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    const err = await pending.catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect(info.code).toBe("deadline_exceeded");
    finish(answer);
    await new Promise((r) => setImmediate(r));
    expect(info.code).toBe("deadline_exceeded");
    expect(lines).toEqual([]);
  });

  it("maps domain failures to their code and hides anything unexpected as internal, logging its cause", async () => {
    const { logger, lines } = logLines();
    const notFound = createCallInterceptor(logger)(() => Promise.reject(new NotFoundError("scim configuration not found")));
    const a = request();
    const err = await notFound(a.req).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.NotFound);
    expect(a.info.code).toBe("not_found");
    expect(lines).toEqual([]);

    const broken = createCallInterceptor(logger)(() => Promise.reject(new TypeError("driver internals: x is undefined")));
    const b = request();
    const hidden = await broken(b.req).catch((e: unknown) => e);
    expect((hidden as ConnectError).code).toBe(Code.Internal);
    expect((hidden as ConnectError).rawMessage).toBe("internal error");
    expect(b.info.code).toBe("internal");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("driver internals");
    expect(lines[0]).toContain("gitpod.v1.OrganizationService/GetSCIMConfiguration");
  });

  it("notes ok for a call that succeeds", async () => {
    const { logger } = logLines();
    const call = createCallInterceptor(logger)(() => Promise.resolve(answer));
    const { req, info } = request();
    await expect(call(req)).resolves.toBe(answer);
    expect(info.code).toBe("ok");
  });
});
