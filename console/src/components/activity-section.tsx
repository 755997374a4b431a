import { PAGE_SIZE, type ReadClients } from "../api.js";
import { useState } from "preact/hooks";
import type { ListAuditLogsResponse_AuditLogEntry } from "../../../gen/gitpod/v1/event_pb.js";
import type { AuditLogDetails } from "../../../gen/scimservice/v1/audit_details_pb.js";
import { actionLabel, actorLabel, subjectLabel } from "../labels.js";
import { formatTime } from "../time.js";
import { ErrorText } from "./field.js";
import { Pager, usePager } from "./pager.js";
import { usePage } from "./use-page.js";


export interface ActivitySectionProps {
  clients: ReadClients;
  version: number;
  configurationNames: ReadonlyMap<string, string>;
}

interface Row {
  entry: ListAuditLogsResponse_AuditLogEntry;
  details: AuditLogDetails | undefined;
}

/**
 * The audit trail, newest first, a page at a time, filtered by actor (a SCIM configuration, or an
 * actor seen on the page) and by subject (an id, or a click on one in the table). Each entry's
 * request id and changed fields come from this service's AuditDetailService, in one call per page.
 */
export function ActivitySection({ clients, version, configurationNames }: ActivitySectionProps) {
  const pager = usePager();
  const [actor, setActor] = useState("");
  const [subject, setSubject] = useState("");
  const [subjectInput, setSubjectInput] = useState("");
  const page = usePage(async () => {
    const res = await clients.events.listAuditLogs({
      pagination: { pageSize: PAGE_SIZE, token: pager.token },
      filter: { actorIds: actor ? [actor] : [], subjectIds: subject ? [subject] : [] },
    });
    const ids = res.entries.map((e) => e.id);
    const details = ids.length > 0 ? (await clients.details.getAuditLogDetails({ auditLogEntryIds: ids })).details : [];
    const byId = new Map(details.map((d) => [d.auditLogEntryId, d]));
    return { items: res.entries.map((entry): Row => ({ entry, details: byId.get(entry.id) })), nextToken: res.pagination?.nextToken ?? "" };
  }, [clients, version, pager.token, actor, subject]);

  const actors = new Map<string, string>([...configurationNames.keys()].map((id) => [id, actorLabel(id, configurationNames)]));
  for (const row of page.result?.items ?? []) if (!actors.has(row.entry.actorId)) actors.set(row.entry.actorId, actorLabel(row.entry.actorId, configurationNames));
  if (actor && !actors.has(actor)) actors.set(actor, actorLabel(actor, configurationNames));
  const filterSubject = (id: string) => {
    setSubject(id);
    setSubjectInput(id);
    pager.reset();
  };

  return (
    <section aria-labelledby="activity-heading" data-section="activity">
      <div class="section-head">
        <h2 id="activity-heading">Activity</h2>
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          filterSubject(subjectInput.trim());
        }}
      >
        <label for="activity-actor">Actor</label>
        <select
          id="activity-actor"
          value={actor}
          onChange={(e) => {
            setActor(e.currentTarget.value);
            pager.reset();
          }}
        >
          <option value="">Anyone</option>
          {[...actors].map(([id, label]) => (
            <option value={id}>{label}</option>
          ))}
        </select>
        <label for="activity-subject">Subject ID</label>
        <input id="activity-subject" value={subjectInput} onInput={(e) => setSubjectInput(e.currentTarget.value)} placeholder="a user, group or configuration id" />
        <button type="submit">Filter</button>
        {(actor || subject) && (
          <button
            type="button"
            onClick={() => {
              setActor("");
              filterSubject("");
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      <ErrorText message={page.error} />
      {page.result && page.result.items.length === 0 && <p class="empty">No activity{actor || subject ? " matches these filters" : " yet"}.</p>}
      {page.result && page.result.items.length > 0 && (
        <table aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">What</th>
              <th scope="col">Subject</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {page.result.items.map(({ entry, details }) => (
              <tr key={entry.id} data-entry-id={entry.id} data-action={entry.action}>
                <td>{formatTime(entry.createdAt)}</td>
                <td title={entry.actorId}>{actorLabel(entry.actorId, configurationNames)}</td>
                <td>
                  {actionLabel(entry.action)} <code class="muted">{entry.action}</code>
                </td>
                <td class="wrap">
                  {subjectLabel(entry.subjectType)}{" "}
                  <button type="button" class="link" title="Show only this subject" aria-label={`Show only activity of ${entry.subjectId}`} onClick={() => filterSubject(entry.subjectId)}>
                    {configurationNames.get(entry.subjectId) ?? entry.subjectId}
                  </button>
                </td>
                <td class="wrap">{details && <Details details={details} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager label="Activity" page={pager.page} nextToken={page.result?.nextToken ?? ""} onNext={() => pager.next(page.result!.nextToken)} onPrevious={pager.previous} />
    </section>
  );
}

function Details({ details }: { details: AuditLogDetails }) {
  return (
    <>
      {details.changedFields.length > 0 && <span data-changed>Changed: {details.changedFields.join(", ")}. </span>}
      {details.bulkOperation > 0 && <span>Bulk operation {details.bulkOperation}. </span>}
      <span class="muted">
        Request <code data-request-id>{details.requestId}</code>
        {details.clientAddress && ` from ${details.clientAddress}`}
      </span>
    </>
  );
}
