import net from "node:net";
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logging/logger.js";

export interface RawResponse {
  status: number;
  headers: Record<string, string[]>;
  body: string;
}

/**
 * Sends bytes exactly as given (duplicate headers, absolute-form targets, bodies that never
 * end) and resolves with the first response once its Content-Length body has arrived. The
 * socket stays open for the caller to destroy when `keepOpen` is set.
 */
export function rawRequest(port: number, head: string, body: Buffer | string = "", options: { keepOpen?: boolean; timeoutMs?: number } = {}): Promise<RawResponse & { socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${options.timeoutMs ?? 5000} ms; got ${JSON.stringify(data.toString("latin1").slice(0, 300))}`));
    }, options.timeoutMs ?? 5000);
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const parsed = parse(data);
      if (!parsed) return;
      clearTimeout(timer);
      if (!options.keepOpen) socket.destroy();
      resolve({ ...parsed, socket });
    });
    socket.write(head);
    if (body.length > 0) socket.write(body);
  });
}

function parse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    (headers[line.slice(0, i).trim().toLowerCase()] ??= []).push(line.slice(i + 1).trim());
  }
  const length = Number(headers["content-length"]?.[0] ?? 0);
  const body = data.subarray(end + 4);
  if (body.length < length) return undefined;
  return { status: Number(statusLine!.split(" ")[1]), headers, body: body.subarray(0, length).toString("utf8") };
}

/** A logger whose lines are kept (parsed) for assertions about what was logged. */
export function capturingLogger(level = "info"): { logger: Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, any>);
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
