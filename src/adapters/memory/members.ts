import { KeyCollisionError } from "../../domain/errors.js";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { MemberChanges, MemberFilter, MemberStore } from "../../domain/provisioning/ports.js";
import type { FormerIdentity, MemberRecord } from "../../domain/provisioning/records.js";
import { copy, later } from "./copy.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

const formerKey = (organizationId: string, f: FormerIdentity) => `${organizationId}/${f.scimConfigurationId}/${f.userNameKey}`;

/** Organization members in memory, found by id, email and former identity through maps. */
export class MemoryMemberStore implements MemberStore {
  private readonly byId = new Map<string, MemberRecord>();
  private readonly ids = new OrderedKeysByTenant();
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
    const same = (f: FormerIdentity) => (g: FormerIdentity) => g.scimConfigurationId === f.scimConfigurationId && g.userNameKey === f.userNameKey;
    if (changes.removeFormerIdentity) next.formerIdentities = next.formerIdentities.filter((g) => !same(changes.removeFormerIdentity!)(g));
    if (changes.addFormerIdentity && !next.formerIdentities.some(same(changes.addFormerIdentity))) next.formerIdentities.push({ ...changes.addFormerIdentity });
    next.updatedAt = later(current.updatedAt, now);
    this.unput(current);
    this.put(next);
    return copy(next);
  }

  async list(organizationId: string, filter: MemberFilter, page: PageRequest): Promise<Page<MemberRecord>> {
    const rows: MemberRecord[] = [];
    let after = page.afterId;
    // An empty list filters nothing out, as an empty `statuses` (and proto's repeated fields).
    const wanted = filter.userIds && filter.userIds.length > 0 ? new Set(filter.userIds) : undefined;
    const search = filter.search?.toLowerCase();
    // Unfiltered pages cost O(page); filters skip non-matching members while filling the page.
    while (rows.length <= page.limit) {
      const ids = this.ids.after(organizationId, after, Math.max(64, page.limit + 1));
      if (ids.length === 0) break;
      for (const id of ids) {
        const m = this.byId.get(id)!;
        if (wanted && !wanted.has(id)) continue;
        if (filter.statuses && filter.statuses.length > 0 && !filter.statuses.includes(m.status)) continue;
        if (filter.emailKey !== undefined && m.emailKey !== filter.emailKey) continue;
        if (search && !m.emailKey.includes(search) && !m.fullName.toLowerCase().includes(search)) continue;
        rows.push(copy(m));
        if (rows.length > page.limit) break;
      }
      after = ids[ids.length - 1];
    }
    return toPage(rows, page.limit);
  }

  private put(r: MemberRecord): void {
    this.byId.set(r.id, r);
    this.ids.insert(r.organizationId, r.id);
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
    this.ids.delete(r.organizationId, r.id);
    this.idsByEmail.get(`${r.organizationId}/${r.emailKey}`)?.delete(r.id);
    for (const f of r.formerIdentities) if (this.idByFormer.get(formerKey(r.organizationId, f)) === r.id) this.idByFormer.delete(formerKey(r.organizationId, f));
  }
}
