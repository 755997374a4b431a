import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Database suites share one FerretDB; each file uses its own database name.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
