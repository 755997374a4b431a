import { useEffect, useMemo, useState } from "preact/hooks";
import type { SSOConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import { createCredentialsClient, createOrganizationClient, createReadClients, PAGE_SIZE, type OrganizationClient } from "../api.js";
import { describeError } from "../errors.js";
import { baseUrlTarget, clearSession, loadSession, PROTOCOLS, saveSession, type Session } from "../session.js";
import { ActivitySection } from "./activity-section.js";
import { ErrorText } from "./field.js";
import { GroupsSection } from "./groups-section.js";
import { MembersSection } from "./members-section.js";
import { ScimSection } from "./scim-section.js";
import { OtherOriginWarning, SignIn } from "./sign-in.js";
import { SsoSection } from "./sso-section.js";
import { Tabs } from "./tabs.js";
import { useAllScim } from "./use-all-scim.js";
import { UnleashState } from "./unleash-state.js";

/** Upper bound for loading a whole list (the SCIM form's SSO choices and their links). */
const MAX_PAGES = 100;

type Tab = "configurations" | "members" | "groups" | "activity";
const TABS: { id: Tab; label: string }[] = [
  { id: "configurations", label: "Configurations" },
  { id: "members", label: "Members" },
  { id: "groups", label: "Groups" },
  { id: "activity", label: "Activity" },
];

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  return (
    <Console
      session={session}
      onSignOut={() => {
        clearSession();
        setSession(undefined);
      }}
    />
  );
}

function Console({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const client = useMemo(() => createOrganizationClient(session), [session]);
  const readClients = useMemo(() => createReadClients(session), [session]);
  const credentials = useMemo(() => createCredentialsClient(session), [session]);
  const [tab, setTab] = useState<Tab>("configurations");
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState("");
  const sso = useAllSso(client, session.organizationId, version);
  const linked = useLinkedSsoIds(client, version);
  const target = baseUrlTarget(session.baseUrl);
  const configurationNames = useAllScim(client, version);
  // What identity providers call: the API origin signed in to (this page's own, unless another was typed in) and /scim/v2.
  const scimBaseUrl = `${(session.baseUrl || window.location.origin).replace(/\/+$/, "")}/scim/v2`;
  const onChanged = (message: string) => {
    setStatus(message);
    setVersion((v) => v + 1);
  };
  useEffect(() => document.getElementById("main-heading")?.focus(), []);

  return (
    <>
      <header class="top">
        <h1 id="main-heading" tabIndex={-1}>
          SCIM configurations
        </h1>
        <p class="who">
          Organization <code>{session.organizationId}</code> at <code>{session.baseUrl}</code> over{" "}
          {PROTOCOLS.find((p) => p.value === session.protocol)?.label}
        </p>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
        {target.kind === "other" && <OtherOriginWarning origin={target.origin} />}
      </header>
      <main>
        <p class="status" role="status" aria-live="polite">
          {status}
        </p>
        <ErrorText message={sso.error} />
        <Tabs label="Console sections" tabs={TABS} selected={tab} onSelect={setTab}>
          {tab === "configurations" && (
            <>
              <ScimSection
                client={client}
                organizationId={session.organizationId}
                version={version}
                onChanged={onChanged}
                ssoConfigurations={sso.items}
                linkedSsoIds={linked}
                scimBaseUrl={scimBaseUrl}
                events={readClients.events}
                credentials={credentials}
              />
              <UnleashState session={session} version={version} />
              <SsoSection client={client} organizationId={session.organizationId} version={version} onChanged={onChanged} />
            </>
          )}
          {tab === "members" && <MembersSection client={client} organizationId={session.organizationId} version={version} configurationNames={configurationNames} />}
          {tab === "groups" && <GroupsSection clients={readClients} version={version} configurationNames={configurationNames} />}
          {tab === "activity" && <ActivitySection clients={readClients} version={version} configurationNames={configurationNames} />}
        </Tabs>
      </main>
    </>
  );
}

/** Every SSO configuration of the organization (bounded), for the SCIM form's picker and names. */
function useAllSso(client: OrganizationClient, organizationId: string, version: number) {
  const [state, setState] = useState<{ items: SSOConfiguration[]; error?: string }>({ items: [] });
  useEffect(() => {
    let current = true;
    loadAll(async (token) => {
      const res = await client.listSSOConfigurations({ organizationId, pagination: { pageSize: PAGE_SIZE, token } });
      return { items: res.ssoConfigurations, nextToken: res.pagination?.nextToken ?? "" };
    }).then(
      (items) => current && setState({ items }),
      (err: unknown) => current && setState({ items: [], error: describeError(err).message }),
    );
    return () => {
      current = false;
    };
  }, [client, organizationId, version]);
  return state;
}

/**
 * The SSO configurations that a SCIM configuration already links (one each at most), so the
 * new-SCIM form offers only the free ones. Undefined until loaded (the form then offers all,
 * and the server's already_exists answer is shown in words).
 */
function useLinkedSsoIds(client: OrganizationClient, version: number): ReadonlySet<string> | undefined {
  const [linked, setLinked] = useState<ReadonlySet<string>>();
  useEffect(() => {
    let current = true;
    loadAll(async (token) => {
      const res = await client.listSCIMConfigurations({ pagination: { pageSize: PAGE_SIZE, token } });
      return { items: res.scimConfigurations, nextToken: res.pagination?.nextToken ?? "" };
    }).then(
      (items) => current && setLinked(new Set(items.map((s) => s.ssoConfigurationId))),
      () => current && setLinked(undefined),
    );
    return () => {
      current = false;
    };
  }, [client, version]);
  return linked;
}

async function loadAll<T>(page: (token: string) => Promise<{ items: T[]; nextToken: string }>): Promise<T[]> {
  const items: T[] = [];
  let token = "";
  for (let i = 0; i < MAX_PAGES; i++) {
    const res = await page(token);
    items.push(...res.items);
    token = res.nextToken;
    if (token === "") break;
  }
  return items;
}
