import type { DescMessage, JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { readAllBytes, type Compression, type UniversalHandler, type UniversalServerRequest } from "@connectrpc/connect/protocol";
import { bodyTooLargeMessage } from "./body-limit.js";
import { once } from "./error-rewrites.js";

/**
 * Checks a JSON request against the method's input message; returns what is wrong with it in
 * words for the caller (naming the field and the rule), or the parsed request for protobuf-es.
 */
export type JsonRequestCheck = (schema: DescMessage, json: string) => { ok: true; value: JsonObject } | { ok: false; problem: string };

export interface ConnectJsonOptions {
  check: JsonRequestCheck;
  readMaxBytes: number;
  /** The compressions the handler accepts (Content-Encoding of a unary request). */
  compressions: readonly Compression[];
}

/**
 * Runs the JSON check on a Connect unary JSON request, POST body or GET `?message=`, before
 * connect-es hands it to protobuf-es, whose messages name neither the field path nor the
 * expected form. A POST body is read and decompressed here (with the same limit) and passed on
 * parsed (connect-es builds the message from that, instead of parsing the text again); other
 * requests pass through untouched. Resolves to the request to serve, or to the error to answer.
 */
export async function checkConnectJsonRequest(req: UniversalServerRequest, handler: UniversalHandler, options: ConnectJsonOptions): Promise<UniversalServerRequest | ConnectError> {
  if (handler.method.methodKind !== "unary") return req;
  if (req.method === "GET") return checkGet(req, handler, options);
  if (!/^application\/json\s*(;|$)/i.test(req.header.get("content-type") ?? "")) return req;
  if (!isByteStream(req.body)) return req;

  let bytes: Uint8Array;
  try {
    bytes = await readAllBytes(req.body, options.readMaxBytes, req.header.get("content-length"));
  } catch (err) {
    const error = ConnectError.from(err);
    return error.code === Code.ResourceExhausted ? new ConnectError(bodyTooLargeMessage(options.readMaxBytes), Code.ResourceExhausted) : error;
  }
  let header = req.header;
  const encoding = header.get("content-encoding");
  if (encoding !== null && encoding !== "identity") {
    const compression = options.compressions.find((c) => c.name === encoding);
    // An encoding this server does not speak: connect-es answers that, with its list.
    if (!compression) return { ...req, body: once(bytes) };
    try {
      bytes = await compression.decompress(bytes, options.readMaxBytes);
    } catch (err) {
      return ConnectError.from(err);
    }
    header = new Headers(header);
    header.delete("content-encoding");
  }
  const read = readText(bytes, handler.method.input, options.check);
  if (read instanceof ConnectError) return read;
  return { ...req, header, body: read };
}

function checkGet(req: UniversalServerRequest, handler: UniversalHandler, options: ConnectJsonOptions): UniversalServerRequest | ConnectError {
  const query = new URL(req.url).searchParams;
  const compression = query.get("compression");
  if (query.get("encoding") !== "json" || (compression !== null && compression !== "identity")) return req;
  const message = query.get("message") ?? "";
  const bytes = query.get("base64") === "1" ? Buffer.from(message, "base64url") : new TextEncoder().encode(message);
  const read = readText(bytes, handler.method.input, options.check);
  return read instanceof ConnectError ? read : req;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function readText(bytes: Uint8Array, schema: DescMessage, check: JsonRequestCheck): ConnectError | JsonObject {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return new ConnectError("the request body is not valid UTF-8 text", Code.InvalidArgument);
  }
  const read = check(schema, text);
  return read.ok ? read.value : new ConnectError(read.problem, Code.InvalidArgument);
}

function isByteStream(body: UniversalServerRequest["body"]): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}
