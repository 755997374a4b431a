import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const consoleDir = fileURLToPath(new URL(".", import.meta.url));

/**
 * The admin console bundle. It is served by the service at /console/ (src/server/console-files.ts
 * reads dist/console), so asset URLs are absolute under that path.
 */
export default defineConfig({
  root: consoleDir,
  base: "/console/",
  // Vite 8 transforms TSX with oxc; Preact's automatic runtime keeps components free of imports.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // No data: URLs: the page's Content-Security-Policy allows only its own files.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
