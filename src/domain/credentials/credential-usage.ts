import { LRUCache } from "lru-cache";
import type { Clock } from "../clock.js";
import type { CredentialUseWrite, ScimConfigurationStore } from "../ports.js";
import type { CredentialUse } from "../records.js";

/** A User-Agent is kept to this many characters (it is the client's to choose). */
export const USER_AGENT_MAX = 256;

export interface CredentialUsageOptions {
  store: Pick<ScimConfigurationStore, "recordUse">;
  clock: Clock;
  /** At most one write per credential within this window; default 60 s. */
  windowMs?: number;
  /** Credentials remembered at most (the least recently used are forgotten first). */
  maxTracked?: number;
  /** A write that failed: the use is lost (last use is informative, never a reason to fail a call). */
  onError: (err: unknown) => void;
}

interface Tracked {
  configurationId: string;
  write: CredentialUseWrite;
  /** Clock time of the last write for this credential. */
  writtenAt: number;
  /** A use newer than the last write, waiting for the window to pass. */
  pending: boolean;
}

/**
 * Last use of SCIM tokens and client secrets, without a database write per request: the first
 * use a process sees is written at once (so a new token shows its use right away), later ones
 * are kept in memory and written when the credential's window (a minute) has passed since its
 * last write, by `flush`, which the app calls every few seconds and at shutdown. So a credential
 * costs at most one write a minute per replica, whatever its request rate. Uses in one flush
 * that belong to one configuration go in one write.
 */
export class CredentialUsage {
  /** Bounded: past maxTracked the least recently used credential is forgotten (its pending use with it). */
  private readonly tracked: LRUCache<string, Tracked>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly windowMs: number;

  constructor(private readonly options: CredentialUsageOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.tracked = new LRUCache({ max: options.maxTracked ?? 100_000 });
  }

  /** A successful authentication with a credential of a configuration. Never waits for the database. */
  note(configurationId: string, credential: { kind: "token" | "secret"; id: string }, address: string, userAgent: string | undefined): void {
    const now = this.options.clock.now();
    const use: CredentialUse = { at: now, address, userAgent: (userAgent ?? "").slice(0, USER_AGENT_MAX) };
    const key = `${configurationId}/${credential.kind}/${credential.id}`;
    const write: CredentialUseWrite = { kind: credential.kind, id: credential.id, use };
    // get() makes the credential the most recently used one.
    const known = this.tracked.get(key);
    if (known && now.getTime() - known.writtenAt < this.windowMs) {
      known.write = write;
      known.pending = true;
    } else {
      this.tracked.set(key, { configurationId, write, writtenAt: now.getTime(), pending: false });
      this.send(configurationId, [write]);
    }
  }

  /**
   * Writes the pending uses whose window has passed (all pending ones with `all`, at shutdown)
   * and waits for every write in flight. Returns how many writes it sent.
   */
  async flush(all = false): Promise<number> {
    const now = this.options.clock.now().getTime();
    const due = new Map<string, CredentialUseWrite[]>();
    // Oldest use first, the order the uses were made in.
    for (const t of this.tracked.rvalues()) {
      // (rvalues() is typed to yield undefined too; it does not for a cache without ttl.)
      if (!t || !t.pending || (!all && now - t.writtenAt < this.windowMs)) continue;
      t.pending = false;
      t.writtenAt = now;
      const writes = due.get(t.configurationId);
      if (writes) writes.push(t.write);
      else due.set(t.configurationId, [t.write]);
    }
    for (const [configurationId, writes] of due) this.send(configurationId, writes);
    await Promise.all([...this.inFlight]);
    return due.size;
  }

  private send(configurationId: string, writes: CredentialUseWrite[]): void {
    const p = this.options.store.recordUse(configurationId, writes).catch((err: unknown) => this.options.onError(err));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
