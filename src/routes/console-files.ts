import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sendJson, type HttpRequest, type HttpResponse } from "../http/http-router.js";

/** Where the admin console is served; everything below it is the console's own routing. */
export const CONSOLE_PATH = "/console/";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

export interface ConsoleOptions {
  /** Origins besides its own that the console may call (CONSOLE_API_ORIGINS); none by default. */
  apiOrigins?: readonly string[];
}

/**
 * The page calls its own origin, and only the origins the server lists (the console offers them
 * when typed in by hand, with a warning): connect-src says exactly that, so a crafted link or a
 * script cannot send the admin key elsewhere. Everything else is locked to the console's own
 * files, and no framing protects an admin page from clickjacking.
 */
export function consoleContentSecurityPolicy(apiOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    ["connect-src 'self'", ...apiOrigins].join(" "),
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The list the console reads at sign-in, written into every HTML page as a meta tag. */
function withApiOriginsMeta(html: Buffer, apiOrigins: readonly string[]): Buffer {
  const content = apiOrigins.join(",").replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return Buffer.from(html.toString("utf8").replace("<head>", `<head>\n    <meta name="console-api-origins" content="${content}" />`), "utf8");
}

/** The console's build output: `dist/console` under the package root (see console/vite.config.ts). */
export function defaultConsoleDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  // The module runs from src/server (tests) or dist/src/server (npm start): walk up to the root.
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, "dist", "console");
}

/** Whether a request target may be the console's (every other request skips the console handler). */
export function mayBeConsolePath(target: string | undefined): boolean {
  return (target ?? "").startsWith("/console");
}

/**
 * Serves the built console under /console/: GET and HEAD only, files with their content type,
 * index.html for any path that is not a file (the console's own views), 404 for a missing asset,
 * and nothing outside the build folder. Vite names assets by content hash, so they are cached
 * for a year; index.html is revalidated on every load so a new build is picked up at once.
 * Returns false for paths outside /console so the caller tries its other routes.
 */
export function createConsoleHandler(rootDir: string, options: ConsoleOptions = {}) {
  const apiOrigins = options.apiOrigins ?? [];
  const contentSecurityPolicy = consoleContentSecurityPolicy(apiOrigins);
  const root = path.resolve(rootDir);
  return async (req: HttpRequest, res: HttpResponse): Promise<boolean> => {
    // Most requests are not for the console: tell by the raw path before parsing any URL.
    if (!mayBeConsolePath(req.url)) return false;
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/console") {
      res.writeHead(308, { location: `${CONSOLE_PATH}${url.search}`, "cache-control": "no-store" });
      res.end();
      return true;
    }
    if (!url.pathname.startsWith(CONSOLE_PATH)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson(res, 405, { error: "method not allowed" }, { allow: "GET, HEAD" });
      return true;
    }

    const relative = decodePath(url.pathname.slice(CONSOLE_PATH.length));
    if (relative === undefined) {
      sendJson(res, 400, { error: "malformed path" });
      return true;
    }
    const requested = path.resolve(root, relative === "" ? "index.html" : relative);
    if (requested !== root && !requested.startsWith(root + path.sep)) {
      sendJson(res, 404, { error: "not found" });
      return true;
    }

    let file = (await isFile(requested)) ? requested : undefined;
    if (file === undefined) {
      // A missing asset must stay a 404 (a stale page would otherwise get HTML for its script).
      if (relative.startsWith("assets/") || path.extname(relative) !== "") {
        sendJson(res, 404, { error: "not found" });
        return true;
      }
      file = path.join(root, "index.html");
      if (!(await isFile(file))) {
        sendJson(res, 404, { error: "the console is not built: run npm run build" });
        return true;
      }
    }

    const ext = path.extname(file);
    const body = ext === ".html" ? withApiOriginsMeta(await readFile(file), apiOrigins) : await readFile(file);
    const headers: Record<string, string | number> = {
      "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream",
      "content-length": body.length,
      "cache-control": file.startsWith(path.join(root, "assets") + path.sep) ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    };
    if (ext === ".html") {
      headers["content-security-policy"] = contentSecurityPolicy;
      headers["x-frame-options"] = "DENY";
    }
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}

/** Percent-decodes a URL path; undefined for malformed escapes and NUL bytes. */
function decodePath(encoded: string): string | undefined {
  try {
    const decoded = decodeURIComponent(encoded);
    return decoded.includes("\0") ? undefined : decoded;
  } catch {
    return undefined;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
