import { useEffect, useState } from "preact/hooks";
import type { SCIMConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import { PAGE_SIZE, type OrganizationClient } from "../api.js";

/** Upper bound for the names the read-back tabs show (10 pages of 100). */
const MAX_PAGES = 10;

/** Every SCIM configuration of the organization (bounded), to name login providers, owners and actors. */
export function useAllScim(client: OrganizationClient, version: number): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let current = true;
    (async () => {
      const out = new Map<string, string>();
      let token = "";
      for (let i = 0; i < MAX_PAGES; i++) {
        const res = await client.listSCIMConfigurations({ pagination: { pageSize: PAGE_SIZE, token } });
        for (const c of res.scimConfigurations as SCIMConfiguration[]) out.set(c.id, c.name || c.id);
        token = res.pagination?.nextToken ?? "";
        if (token === "") break;
      }
      return out;
    })().then(
      (map) => current && setNames(map),
      // Names are a nicety: without them the tabs show ids.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, version]);
  return names;
}
