import { KeyCollisionError } from "../../domain/errors.js";
import { memberSortKey, type MemberFilter, type MemberListPage, type MemberListRequest } from "../../domain/provisioning/member-list.js";
import type { MemberChanges, MemberStore } from "../../domain/provisioning/ports.js";
import type { FormerIdentity, MemberRecord, MemberStatus } from "../../domain/provisioning/records.js";
import { copy, later } from "./copy.js";
import { walkKeys } from "./keyset-walk.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

const formerKey = (organizationId: string, f: FormerIdentity) => `${organizationId}/${f.scimConfigurationId}/${f.userNameKey}`;
const statusTenant = (organizationId: string, status: MemberStatus) => `${organizationId}|${status}`;

/**
 * Organization members in memory, found by id, email and former identity through maps, and
 * listed through ordered keys as MongoDB's indexes would serve them: by id (member since) and by
 * {name key, id}, per organization and per (organization, status). A page of any order, with or
 * without a status filter, walks one of those, so it costs O(log n + page); `search` is checked on
 * the walked members (a substring cannot be indexed), and user id or email filters look the few
 * members up directly.
 */
export class MemoryMemberStore implements MemberStore {
  private readonly byId = new Map<string, MemberRecord>();
  private readonly ids = new OrderedKeysByTenant();
  private readonly names = new OrderedKeysByTenant();
  private readonly idsByEmail = new Map<string, Set<string>>();
  private readonly idByFormer = new Map<string, string>();

  async create(record: MemberRecord): Promise<void> {
    if (this.byId.has(record.id)) throw new KeyCollisionError("member id");
    this.put(copy(record));
  }

  async get(organizationId: string, id: string): Promise<MemberRecord | undefined> {
    const r = this.byId.get(id);
    return r && r.organizationId === organizationId ? copy(r) : undefined;
  }

  async findByEmail(organizationId: string, emailKey: string): Promise<MemberRecord[]> {
    return [...(this.idsByEmail.get(`${organizationId}/${emailKey}`) ?? [])].sort().map((id) => copy(this.byId.get(id)!));
  }

  async findFormerOrEmail(organizationId: string, identity: FormerIdentity, emailKey: string): Promise<{ former?: MemberRecord; byEmail: MemberRecord[] }> {
    const former = await this.findFormer(organizationId, identity);
    const byEmail = emailKey === "" ? [] : await this.findByEmail(organizationId, emailKey);
    return former ? { former, byEmail } : { byEmail };
  }

  async findFormer(organizationId: string, identity: FormerIdentity): Promise<MemberRecord | undefined> {
    const id = this.idByFormer.get(formerKey(organizationId, identity));
    return id === undefined ? undefined : this.get(organizationId, id);
  }

  async update(organizationId: string, id: string, changes: MemberChanges, now: Date): Promise<MemberRecord | undefined> {
    const current = this.byId.get(id);
    if (!current || current.organizationId !== organizationId) return undefined;
    const next = copy(current);
    if (changes.status !== undefined) next.status = changes.status;
    if (changes.email !== undefined) next.email = changes.email;
    if (changes.emailKey !== undefined) next.emailKey = changes.emailKey;
    if (changes.fullName !== undefined) next.fullName = changes.fullName;
    if (changes.nameKey !== undefined) next.nameKey = changes.nameKey;
    const same = (f: FormerIdentity) => (g: FormerIdentity) => g.scimConfigurationId === f.scimConfigurationId && g.userNameKey === f.userNameKey;
    if (changes.removeFormerIdentity) next.formerIdentities = next.formerIdentities.filter((g) => !same(changes.removeFormerIdentity!)(g));
    if (changes.addFormerIdentity && !next.formerIdentities.some(same(changes.addFormerIdentity))) next.formerIdentities.push({ ...changes.addFormerIdentity });
    next.updatedAt = later(current.updatedAt, now);
    this.unput(current);
    this.put(next);
    return copy(next);
  }

  async list(organizationId: string, request: MemberListRequest): Promise<MemberListPage<MemberRecord>> {
    const { filter, sort, limit } = request;
    const asc = sort.order === "asc";
    const keyOf = (m: MemberRecord) => memberSortKey(sort, m);
    const start = request.after ? memberSortKey(sort, request.after) : undefined;
    const direct = this.directCandidates(organizationId, filter);
    if (direct) {
      // A handful of members named by id or email: look them up, order them, page them.
      const keys = direct
        .filter((m) => matches(m, filter))
        .map(keyOf)
        .filter((k) => start === undefined || (asc ? k > start : k < start))
        .sort((a, b) => (a < b ? -1 : 1) * (asc ? 1 : -1));
      const ids = keys.slice(0, limit + 1).map(idOfKey);
      return { items: ids.slice(0, limit).map((id) => copy(this.byId.get(id)!)), more: ids.length > limit };
    }
    const index = sort.field === "name" ? this.names : this.ids;
    const tenants = filter.statuses?.length ? [...new Set(filter.statuses)].map((s) => statusTenant(organizationId, s)) : [organizationId];
    const keys = walkKeys(index.sources(tenants), {
      order: sort.order,
      start,
      limit: limit + 1,
      ...(filter.search || filter.emailKey !== undefined ? { accept: (key: string) => matches(this.byId.get(idOfKey(key))!, filter) } : {}),
    });
    return { items: keys.slice(0, limit).map((k) => copy(this.byId.get(idOfKey(k))!)), more: keys.length > limit };
  }

  async count(organizationId: string, filter: MemberFilter): Promise<number> {
    const direct = this.directCandidates(organizationId, filter);
    if (direct) return direct.filter((m) => matches(m, filter)).length;
    const tenants = filter.statuses?.length ? [...new Set(filter.statuses)].map((s) => statusTenant(organizationId, s)) : [organizationId];
    if (!filter.search) return tenants.reduce((n, t) => n + this.ids.count(t), 0);
    // A substring search has no index: count by walking the members it may match.
    return walkKeys(this.ids.sources(tenants), { order: "asc", limit: Number.MAX_SAFE_INTEGER, accept: (id) => matches(this.byId.get(id)!, filter) }).length;
  }

  /** The members a user-id or email filter names, when it has one (then no index walk is needed). */
  private directCandidates(organizationId: string, filter: MemberFilter): MemberRecord[] | undefined {
    let ids: Iterable<string> | undefined;
    if (filter.userIds && filter.userIds.length > 0) ids = new Set(filter.userIds);
    else if (filter.emailKey !== undefined) ids = this.idsByEmail.get(`${organizationId}/${filter.emailKey}`) ?? [];
    if (ids === undefined) return undefined;
    return [...ids].flatMap((id) => {
      const m = this.byId.get(id);
      return m && m.organizationId === organizationId ? [m] : [];
    });
  }

  private put(r: MemberRecord): void {
    this.byId.set(r.id, r);
    for (const tenant of [r.organizationId, statusTenant(r.organizationId, r.status)]) {
      this.ids.insert(tenant, r.id);
      this.names.insert(tenant, memberSortKey({ field: "name", order: "asc" }, r));
    }
    if (r.emailKey !== "") {
      const key = `${r.organizationId}/${r.emailKey}`;
      let set = this.idsByEmail.get(key);
      if (!set) this.idsByEmail.set(key, (set = new Set()));
      set.add(r.id);
    }
    for (const f of r.formerIdentities) this.idByFormer.set(formerKey(r.organizationId, f), r.id);
  }

  private unput(r: MemberRecord): void {
    this.byId.delete(r.id);
    for (const tenant of [r.organizationId, statusTenant(r.organizationId, r.status)]) {
      this.ids.delete(tenant, r.id);
      this.names.delete(tenant, memberSortKey({ field: "name", order: "asc" }, r));
    }
    this.idsByEmail.get(`${r.organizationId}/${r.emailKey}`)?.delete(r.id);
    for (const f of r.formerIdentities) if (this.idByFormer.get(formerKey(r.organizationId, f)) === r.id) this.idByFormer.delete(formerKey(r.organizationId, f));
  }
}

/** The member id at the end of a sort key (name keys are "<name>\u0000<id>"). */
const idOfKey = (key: string): string => key.slice(key.lastIndexOf("\u0000") + 1);

function matches(m: MemberRecord, f: MemberFilter): boolean {
  if (f.userIds && f.userIds.length > 0 && !f.userIds.includes(m.id)) return false;
  if (f.statuses && f.statuses.length > 0 && !f.statuses.includes(m.status)) return false;
  if (f.emailKey !== undefined && m.emailKey !== f.emailKey) return false;
  const search = f.search?.toLowerCase();
  if (search && !m.emailKey.includes(search) && !m.fullName.toLowerCase().includes(search)) return false;
  return true;
}
