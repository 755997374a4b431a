import { useEffect, useMemo, useState } from "preact/hooks";
import type { SSOConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import { createOrganizationClient, createReadClients, type OrganizationClient } from "../api.js";
import { describeError } from "../errors.js";
import { clearSession, loadSession, PROTOCOLS, saveSession, type Session } from "../session.js";
import { ActivitySection } from "./activity-section.js";
import { GroupsSection } from "./groups-section.js";
import { MembersSection } from "./members-section.js";
import { ScimSection } from "./scim-section.js";
import { SignIn } from "./sign-in.js";
import { SsoSection } from "./sso-section.js";
import { Tabs } from "./tabs.js";
import { useAllScim } from "./use-all-scim.js";
import { UnleashState } from "./unleash-state.js";

/** Upper bound for the SSO choices of the SCIM form (10 pages of 100). */
const MAX_SSO_PAGES = 10;

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
  const [tab, setTab] = useState<Tab>("configurations");
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState("");
  const sso = useAllSso(client, session.organizationId, version);
  const configurationNames = useAllScim(client, version);
  // What identity providers call: this service's origin (the one signed in to) and /scim/v2.
  const scimBaseUrl = `${session.baseUrl.replace(/\/+$/, "")}/scim/v2`;
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
      </header>
      <main>
        <p class="status" role="status" aria-live="polite">
          {status}
        </p>
        {sso.error && (
          <p class="error" role="alert">
            {sso.error}
          </p>
        )}
        <Tabs label="Console sections" tabs={TABS} selected={tab} onSelect={setTab}>
          {tab === "configurations" && (
            <>
              <ScimSection
                client={client}
                organizationId={session.organizationId}
                version={version}
                onChanged={onChanged}
                ssoConfigurations={sso.items}
                scimBaseUrl={scimBaseUrl}
                events={readClients.events}
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
    (async () => {
      const items: SSOConfiguration[] = [];
      let token = "";
      for (let i = 0; i < MAX_SSO_PAGES; i++) {
        const res = await client.listSSOConfigurations({ organizationId, pagination: { pageSize: 100, token } });
        items.push(...res.ssoConfigurations);
        token = res.pagination?.nextToken ?? "";
        if (token === "") break;
      }
      return items;
    })().then(
      (items) => current && setState({ items }),
      (err: unknown) => current && setState({ items: [], error: describeError(err).message }),
    );
    return () => {
      current = false;
    };
  }, [client, organizationId, version]);
  return state;
}
