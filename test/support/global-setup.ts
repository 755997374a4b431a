import type { TestProject } from "vitest/node";
import { startFerretDb } from "./ferretdb.js";
import { installInteropTools } from "./interop-tools.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A MongoDB-wire server for the database suites: MONGODB_URI, or a FerretDB started here. */
    mongoUri: string;
    /** Cache folder with the interop suites' Python virtualenv and Go tools. */
    interopCache: string;
  }
}

/**
 * One database server for the whole run. With MONGODB_URI set the suites use that server;
 * otherwise FerretDB is built (once, cached) and started here, and stopped at the end.
 */
export default async function setup(project: TestProject) {
  // Once here rather than per suite: parallel workers would race to build the same virtualenv.
  project.provide("interopCache", installInteropTools());
  if (process.env.MONGODB_URI) {
    project.provide("mongoUri", process.env.MONGODB_URI);
    return;
  }
  const ferret = await startFerretDb();
  project.provide("mongoUri", ferret.uri);
  return async () => {
    await ferret.destroy();
  };
}
