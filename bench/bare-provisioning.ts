/**
 * The floor for POST /scim/v2/Users: a plain node:http handler with no framework and no SCIM logic
 * (no schema, validation, filter, account-linking rules or error mapping) that parses the JSON and
 * sends the database exactly the commands our service sends for one create, in the same order, on
 * the same collections, with documents of the same fields and about the same size (checked every
 * run by command-trace.ts against ours):
 *
 *  1. find scim_configurations {$or: [{tokenHash}, {previousTokens.hash}]}  the token (current or rotated out)
 *  2. find members {organizationId, $or: [{formerKeys}, {emailKey}]}  re-provisioned identity, or a member with this email?
 *  3. insert scim_users                                             the User, with its search form `s` (the unique key refuses a duplicate)
 *  4. insert members                                                the new member
 *  5. insert audit_log                                              the change's audit entry (left out with `withAudit: false`)
 *
 * Reads whose answers our service acts on are acted on the same way here (a duplicate userName is
 * 409), so a difference in throughput is what the service adds between the commands. Without the
 * audit insert, the same handler measures what writing the audit entry costs (issue 12).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db, Document } from "mongodb";
// The same UUIDv7 ids as the service's, so both sides' _id indexes see the same insertion order.
import { newId } from "../src/domain/ids.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Documents keyed by a string _id (UUIDv7), as the service stores them. */
type Stored = Document & { _id: string };

/** A request handler for POST /scim/v2/Users on `db` (which must hold the service's collections and indexes). */
export function createBareProvisioning(db: Db, options: { withAudit: boolean } = { withAudit: true }) {
  const configurations = db.collection<Stored>("scim_configurations");
  const users = db.collection<Stored>("scim_users");
  const members = db.collection<Stored>("members");
  const auditLog = db.collection<Stored>("audit_log");

  const create = async (authorization: string, raw: string, host: string): Promise<[number, Document]> => {
    const token = authorization.startsWith("Bearer ") ? authorization.slice(7) : "";
    const hash = createHash("sha256").update(token).digest("hex");
    const configuration = await configurations.findOne({ $or: [{ tokenHash: hash }, { "previousTokens.hash": hash }] });
    if (!configuration) return [401, { detail: "unknown token" }];
    const body = JSON.parse(raw) as Document;
    const scimConfigurationId = configuration._id;
    const organizationId = configuration.organizationId as string;
    const userNameKey = String(body.userName).toLowerCase();
    const email = String(((body.emails as Document[] | undefined) ?? [])[0]?.value ?? "");
    const formerKey = `${scimConfigurationId}/${userNameKey}`;
    await members.find(email === "" ? { organizationId, formerKeys: formerKey } : { organizationId, $or: [{ formerKeys: formerKey }, { emailKey: email.toLowerCase() }] }).toArray();

    const now = new Date();
    const id = newId(now);
    const memberId = newId(now);
    const { schemas: _schemas, password: _password, groups: _groups, [ENTERPRISE]: enterprise, ...core } = body;
    const attributes: Document = { ...core, ...(enterprise ? { enterprise } : {}) };
    const inserted = await users.insertOne({
      _id: id,
      version: 1,
      created: now,
      lastModified: now,
      attributes,
      scimConfigurationId,
      organizationId,
      memberId,
      userNameKey,
      active: body.active !== false,
      s: bareSearchForm(id, now, body.schemas, attributes),
    });
    if (!inserted.acknowledged) return [500, { detail: "insert not acknowledged" }];
    const name = (body.name ?? {}) as Document;
    const fullName = String(name.formatted ?? `${name.givenName ?? ""} ${name.familyName ?? ""}`.trim());
    await members.insertOne({
      _id: memberId,
      organizationId,
      email,
      emailKey: email.toLowerCase(),
      fullName,
      nameKey: fullName.toLowerCase().slice(0, 64),
      status: "active",
      loginProvider: scimConfigurationId,
      createdAt: now,
      updatedAt: now,
      formerIdentities: [],
      formerKeys: [],
      fullNameKey: fullName.toLowerCase(),
    });
    if (options.withAudit) {
      await auditLog.insertOne({
        _id: newId(now),
        organizationId,
        createdAt: now,
        kind: "resource_change",
        actorKind: "scim_configuration",
        actorId: scimConfigurationId,
        action: "scim.user.create",
        subjectType: "user",
        subjectId: memberId,
        requestId: "",
        clientAddress: "",
        changedFields: [],
        scimConfigurationId,
        scimResourceId: id,
        bulkOperation: 0,
      });
    }
    const location = `http://${host}/scim/v2/Users/${id}`;
    const { enterprise: ext, ...rest } = attributes;
    return [201, { schemas: body.schemas, id, ...rest, ...(ext ? { [ENTERPRISE]: ext } : {}), groups: [], meta: { resourceType: "User", created: now, lastModified: now, location, version: 'W/"1"' } }];
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      create(req.headers.authorization ?? "", Buffer.concat(chunks).toString("utf8"), req.headers.host ?? "localhost").then(
        ([status, doc]) => send(res, status, doc),
        (err: unknown) => send(res, 500, { detail: String(err) }),
      );
    });
  };
}

function send(res: ServerResponse, status: number, doc: Document): void {
  const body = JSON.stringify(doc);
  res.writeHead(status, { "content-type": "application/scim+json", "content-length": Buffer.byteLength(body), ...(doc.meta ? { location: doc.meta.location, etag: doc.meta.version } : {}) });
  res.end(body);
}

/**
 * A search form of the same layout and about the same size as the service's (a copy of the
 * attributes with strings lowercased, id, meta, schemas, the first element of each array, and a
 * presence flag per attribute), built generically: no schema, no case rules per attribute.
 */
function bareSearchForm(id: string, now: Date, schemas: unknown, attributes: Document): Document {
  const lower = (v: unknown): unknown =>
    typeof v === "string" ? v.toLowerCase() : Array.isArray(v) ? v.map(lower) : typeof v === "object" && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lower(x)])) : v;
  const form: Document = { id, meta: { created: now, lastModified: now }, schemas: lower(schemas) };
  const primary: Document = {};
  const has: Document = { id: true, meta: { created: true, lastModified: true } };
  for (const [k, v] of Object.entries(attributes)) {
    form[k] = lower(v);
    if (Array.isArray(v)) primary[k] = lower(v[0]);
    has[k] = typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).map((x) => [x, true])) : true;
  }
  form["_primary"] = primary;
  form["_has"] = has;
  return form;
}
