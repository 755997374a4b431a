import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Database suites share one FerretDB; each file uses its own database name.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Besides the console report, a JSON summary that .ci/run turns into one plain closing line.
    reporters: ["default", ["json", { outputFile: ".cache/vitest-results.json" }]],
  },
});
