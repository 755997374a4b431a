import { useEffect, useState } from "preact/hooks";
import type { Group, GroupMembership } from "../../../gen/gitpod/v1/group_pb.js";
import type { ReadClients } from "../api.js";
import { describeError } from "../errors.js";
import { formatTime } from "../time.js";
import { ErrorText } from "./field.js";
import { Pager, usePager } from "./pager.js";
import { usePage } from "./use-page.js";

const PAGE_SIZE = 25;

export interface GroupsSectionProps {
  clients: ReadClients;
  version: number;
  configurationNames: ReadonlyMap<string, string>;
}

/** The provisioned groups; each group's members are loaded when asked for. */
export function GroupsSection({ clients, version, configurationNames }: GroupsSectionProps) {
  const pager = usePager();
  const [open, setOpen] = useState<string>();
  const page = usePage(async () => {
    const res = await clients.groups.listGroups({ pagination: { pageSize: PAGE_SIZE, token: pager.token } });
    return { items: res.groups, nextToken: res.pagination?.nextToken ?? "" };
  }, [clients, version, pager.token]);

  return (
    <section aria-labelledby="groups-heading" data-section="groups">
      <div class="section-head">
        <h2 id="groups-heading">Groups</h2>
      </div>
      <p class="hint">Groups come from your identity provider through SCIM; change them there.</p>
      <ErrorText message={page.error} />
      {page.result && page.result.items.length === 0 && <p class="empty">No groups provisioned yet.</p>}
      {page.result && page.result.items.length > 0 && (
        <table aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Members</th>
              <th scope="col">Provisioned by</th>
              <th scope="col">Last changed</th>
              <th scope="col">
                <span class="visually-hidden">Members</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.result.items.map((g) => (
              <GroupRow key={g.id} group={g} clients={clients} owner={ownerOf(g, configurationNames)} open={open === g.id} onToggle={() => setOpen(open === g.id ? undefined : g.id)} />
            ))}
          </tbody>
        </table>
      )}
      <Pager label="Groups" page={pager.page} nextToken={page.result?.nextToken ?? ""} onNext={() => pager.next(page.result!.nextToken)} onPrevious={pager.previous} />
    </section>
  );
}

/** The SCIM configuration a group's description names, by its name when known. */
function ownerOf(group: Group, names: ReadonlyMap<string, string>): string {
  const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(group.description)?.[0];
  return id === undefined ? group.description : (names.get(id) ?? id);
}

function GroupRow({ group, clients, owner, open, onToggle }: { group: Group; clients: ReadClients; owner: string; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr data-group-id={group.id}>
        <td>{group.name}</td>
        <td>{group.memberCount}</td>
        <td>{owner}</td>
        <td>{formatTime(group.updatedAt)}</td>
        <td class="actions">
          <button type="button" aria-expanded={open} aria-controls={`group-members-${group.id}`} onClick={onToggle}>
            {open ? "Hide members" : "Show members"}
          </button>
        </td>
      </tr>
      {open && (
        <tr class="details" id={`group-members-${group.id}`} data-group-members={group.id}>
          <td colSpan={5}>
            <GroupMembers group={group} clients={clients} />
          </td>
        </tr>
      )}
    </>
  );
}

/** A group's members, a page at a time ("More members" appends the next page). */
function GroupMembers({ group, clients }: { group: Group; clients: ReadClients }) {
  const [state, setState] = useState<{ members: GroupMembership[]; nextToken: string; error?: string; loading: boolean }>({ members: [], nextToken: "", loading: false });
  const load = async (token: string) => {
    setState((s) => ({ ...s, loading: true }));
    try {
      const res = await clients.groups.listMemberships({ groupId: group.id, pagination: { pageSize: PAGE_SIZE, token } });
      setState((s) => ({ members: [...s.members, ...res.members], nextToken: res.pagination?.nextToken ?? "", loading: false }));
    } catch (err) {
      setState((s) => ({ ...s, error: describeError(err).message, loading: false }));
    }
  };
  useEffect(() => {
    void load("");
  }, [group.id]);
  return (
    <div class="group-members" aria-busy={state.loading}>
      <ErrorText message={state.error} />
      {!state.loading && !state.error && state.members.length === 0 && <p class="empty">No members.</p>}
      {state.members.length > 0 && (
        <ul aria-label={`Members of ${group.name}`}>
          {state.members.map((m) => (
            <li key={m.id} data-user-id={m.subject?.id}>
              {m.name || m.subject?.id}
            </li>
          ))}
        </ul>
      )}
      {state.nextToken !== "" && (
        <button type="button" disabled={state.loading} onClick={() => load(state.nextToken)}>
          More members
        </button>
      )}
    </div>
  );
}
