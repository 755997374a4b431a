import { PAGE_SIZE, type OrganizationClient } from "../api.js";
import { useState } from "preact/hooks";
import { ListMembersRequest_SortField } from "../../../gen/gitpod/v1/organization_pb.js";
import { SortOrder } from "../../../gen/gitpod/v1/pagination_pb.js";
import { UserStatus } from "../../../gen/gitpod/v1/user_pb.js";
import { statusLabel } from "../labels.js";
import { formatTime } from "../time.js";
import { ErrorText } from "./field.js";
import { Pager, usePager } from "./pager.js";
import { usePage } from "./use-page.js";


const STATUS_FILTERS: { label: string; statuses: UserStatus[] }[] = [
  { label: "All", statuses: [] },
  { label: "Active", statuses: [UserStatus.ACTIVE] },
  { label: "Suspended", statuses: [UserStatus.SUSPENDED] },
  { label: "Left", statuses: [UserStatus.LEFT] },
];

export interface MembersSectionProps {
  client: OrganizationClient;
  organizationId: string;
  version: number;
  /** SCIM configuration id → name, for the login provider column. */
  configurationNames: ReadonlyMap<string, string>;
}

/** The members identity providers provisioned: status, email, login provider, member since; filter by status. */
export function MembersSection({ client, organizationId, version, configurationNames }: MembersSectionProps) {
  const pager = usePager();
  const [filter, setFilter] = useState(0);
  const [newestFirst, setNewestFirst] = useState(false);
  const page = usePage(async () => {
    const res = await client.listMembers({
      organizationId,
      pagination: { pageSize: PAGE_SIZE, token: pager.token },
      filter: { statuses: STATUS_FILTERS[filter]!.statuses },
      sort: newestFirst ? { field: ListMembersRequest_SortField.DATE_JOINED, order: SortOrder.DESC } : { field: ListMembersRequest_SortField.NAME, order: SortOrder.ASC },
      count: { include: true },
    });
    return { items: res.members, nextToken: res.pagination?.nextToken ?? "", total: res.count?.value ?? 0 };
  }, [client, organizationId, version, pager.token, filter, newestFirst]);

  return (
    <section aria-labelledby="members-heading" data-section="members">
      <div class="section-head">
        <h2 id="members-heading">Members</h2>
      </div>
      <div class="filters">
        <label for="members-status">Status</label>
        <select
          id="members-status"
          value={String(filter)}
          onChange={(e) => {
            setFilter(Number(e.currentTarget.value));
            pager.reset();
          }}
        >
          {STATUS_FILTERS.map((f, i) => (
            <option value={String(i)}>{f.label}</option>
          ))}
        </select>
        <label for="members-order">Order</label>
        <select
          id="members-order"
          value={newestFirst ? "newest" : "name"}
          onChange={(e) => {
            setNewestFirst(e.currentTarget.value === "newest");
            pager.reset();
          }}
        >
          <option value="name">By name</option>
          <option value="newest">Newest members first</option>
        </select>
        {page.result && <span class="muted" data-count>{page.result.total} {page.result.total === 1 ? "member" : "members"}</span>}
      </div>
      <ErrorText message={page.error} />
      {page.result && page.result.items.length === 0 && <p class="empty">No members{filter > 0 ? " with this status" : " provisioned yet"}.</p>}
      {page.result && page.result.items.length > 0 && (
        <table aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Status</th>
              <th scope="col">Login provider</th>
              <th scope="col">Member since</th>
            </tr>
          </thead>
          <tbody>
            {page.result.items.map((m) => {
              const status = statusLabel(m.status);
              return (
                <tr key={m.userId} data-member-id={m.userId}>
                  <td>{m.fullName || <span class="muted">(no name)</span>}</td>
                  <td>{m.email || <span class="muted">—</span>}</td>
                  <td>
                    <span class={`badge ${status.badge}`}>{status.text}</span>
                  </td>
                  <td title={m.loginProvider}>SSO via SCIM: {configurationNames.get(m.loginProvider) ?? m.loginProvider}</td>
                  <td>{formatTime(m.memberSince)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager label="Members" page={pager.page} nextToken={page.result?.nextToken ?? ""} onNext={() => pager.next(page.result!.nextToken)} onPrevious={pager.previous} />
    </section>
  );
}
