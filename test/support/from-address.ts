import http from "node:http";

export interface FromAddressResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/**
 * One HTTP/1.1 request from a chosen local address of this machine (127.0.0.2, ::1, ...), so a
 * test can be "another client" on the loopback ranges. `host` is where the server listens
 * (127.0.0.1 or ::1; a server bound to "::" takes both).
 */
export function requestFrom(
  localAddress: string,
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; host?: string } = {},
): Promise<FromAddressResponse> {
  const host = options.host ?? (localAddress.includes(":") ? "::1" : "127.0.0.1");
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, localAddress, method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}
