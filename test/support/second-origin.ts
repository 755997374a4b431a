import http from "node:http";
import type { AddressInfo } from "node:net";
import { createConsoleHandler } from "../../src/routes/console-files.js";

/**
 * The built console served by a plain HTTP server on another port of 127.0.0.1: another origin
 * than the service's, as when a company hosts the console apart from the API.
 */
export async function serveConsoleElsewhere(consoleDir: string, options: { apiOrigins?: string[] } = {}): Promise<{ origin: string; close: () => Promise<void> }> {
  const serve = createConsoleHandler(consoleDir, options);
  const server = http.createServer((req, res) => {
    serve(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
