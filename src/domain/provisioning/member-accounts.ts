import type { Clock } from "../clock.js";
import { KeyCollisionError } from "../errors.js";
import { newId } from "../ids.js";
import type { ScimConfigurationRecord } from "../records.js";
import { ScimError } from "../scim/scim-error.js";
import type { IdentityFacts } from "./identity-facts.js";
import { memberNameKey } from "./member-list.js";
import type { MemberStore, ScimUserStore } from "./ports.js";
import type { FormerIdentity, MemberRecord, MemberStatus, ScimUserRecord } from "./records.js";

/** The member a new User becomes an identity of. */
export interface MemberChoice {
  memberId: string;
  /** True when no member record exists yet: refresh() creates it once the User is stored. */
  isNew: boolean;
}

/**
 * Organization members and the identities (SCIM Users) behind them: which member a new User
 * belongs to (account linking, governed by the configuration's allowUnverifiedEmailAccountLinking),
 * and the member's status, which follows its identities.
 */
export class MemberAccounts {
  constructor(
    private readonly members: MemberStore,
    private readonly users: ScimUserStore,
    private readonly clock: Clock,
  ) {}

  /**
   * The member for a new User of `configuration` (scim.md, "Account linking"):
   * 1. the member that had this userName in this configuration before (re-provisioning brings it back);
   * 2. else, by email (case-insensitive): a member with no identity left whose last one was in this
   *    configuration comes back; a member whose identities all come from other configurations is
   *    linked when the flag allows it, and refused with 409 uniqueness when it does not (several
   *    such members: 409 naming the ambiguity). Members with a live identity in this configuration
   *    are not candidates: within one configuration Users are told apart by userName alone;
   * 3. else a new member.
   */
  async memberFor(configuration: ScimConfigurationRecord, userNameKey: string, facts: IdentityFacts): Promise<MemberChoice> {
    const { organizationId } = configuration;
    const emailKey = facts.email.toLowerCase();
    // One query for both ways a member is found again: its former identity here, or its email.
    const found = await this.members.findFormerOrEmail(organizationId, { scimConfigurationId: configuration.id, userNameKey }, emailKey);
    if (found.former) return { memberId: found.former.id, isNew: false };
    if (emailKey !== "") {
      const linkable: MemberRecord[] = [];
      for (const candidate of found.byEmail) {
        const identities = (await this.users.listByMember(candidate.id)).filter((u) => u.organizationId === organizationId);
        if (identities.some((u) => u.scimConfigurationId === configuration.id)) continue;
        if (identities.length === 0 && candidate.formerIdentities.some((f) => f.scimConfigurationId === configuration.id)) {
          return { memberId: candidate.id, isNew: false };
        }
        linkable.push(candidate);
      }
      if (linkable.length > 1) {
        throw new ScimError(409, "uniqueness", `${linkable.length} existing accounts of this organization have the email ${facts.email}; the User cannot be linked to one of them unambiguously.`);
      }
      if (linkable.length === 1) {
        if (configuration.allowUnverifiedEmailAccountLinking) return { memberId: linkable[0]!.id, isNew: false };
        throw new ScimError(
          409,
          "uniqueness",
          `An account with the email ${facts.email} already exists in this organization (provisioned by another identity provider), and linking accounts by unverified email is off for this SCIM configuration (allowUnverifiedEmailAccountLinking).`,
        );
      }
    }
    return { memberId: newId(this.clock.now()), isNew: true };
  }

  /**
   * Brings a member up to date after one of its identities changed: status from all its
   * identities, email and name from `latest` (the identity just written), and the former
   * identities. Creates the member when it does not exist yet (a new member, or a crash between
   * storing a User and its member: the next write of that User repairs it).
   */
  async refresh(
    configuration: ScimConfigurationRecord,
    memberId: string,
    change: { latest?: IdentityFacts; deleted?: FormerIdentity; provisioned?: FormerIdentity; firstIdentity?: ScimUserRecord },
  ): Promise<MemberRecord | undefined> {
    const { organizationId } = configuration;
    const now = this.clock.now();
    // A member memberFor() just made up has exactly the identity being created and no record
    // yet: nothing to read (two lookups less for each new User, the common case of provisioning).
    const identities = change.firstIdentity ? [change.firstIdentity] : (await this.users.listByMember(memberId)).filter((u) => u.organizationId === organizationId);
    const status: MemberStatus = identities.length === 0 ? "left" : identities.some((u) => u.active) ? "active" : "suspended";
    const existing = change.firstIdentity ? undefined : await this.members.get(organizationId, memberId);
    if (!existing) {
      if (identities.length === 0) return undefined;
      const facts = change.latest ?? { email: "", fullName: "" };
      const record: MemberRecord = {
        id: memberId,
        organizationId,
        email: facts.email,
        emailKey: facts.email.toLowerCase(),
        fullName: facts.fullName,
        nameKey: memberNameKey(facts.fullName),
        status,
        loginProvider: configuration.id,
        createdAt: now,
        updatedAt: now,
        formerIdentities: [],
      };
      try {
        await this.members.create(record);
        return record;
      } catch (err) {
        // Another write of an identity of this member created it first: update that one instead.
        if (!(err instanceof KeyCollisionError)) throw err;
      }
    }
    return this.members.update(
      organizationId,
      memberId,
      {
        status,
        ...(change.latest
          ? { email: change.latest.email, emailKey: change.latest.email.toLowerCase(), fullName: change.latest.fullName, nameKey: memberNameKey(change.latest.fullName) }
          : {}),
        ...(change.deleted ? { addFormerIdentity: change.deleted } : {}),
        ...(change.provisioned ? { removeFormerIdentity: change.provisioned } : {}),
      },
      now,
    );
  }
}
