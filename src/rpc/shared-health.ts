/**
 * One view of the database's health shared by every watcher: a single loop asks the database
 * once per interval while at least one watcher is subscribed, and stops when the last one leaves.
 * Without it every grpc.health.v1 Watch stream (open to anyone, no key) pinged the database on
 * its own: 1,024 streams made ~200 pings a second.
 */
export class SharedHealth {
  /** The last answer of the loop; undefined until its first answer after it (re)started. */
  private state: boolean | undefined;
  /** Counts published states, so that a watcher can tell a new one from one it has seen. */
  private version = 0;
  private watchers = 0;
  private loopActive = false;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<boolean> | undefined;
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly ping: () => Promise<boolean>,
    private readonly intervalMs: number,
  ) {}

  /** Asks the database now; concurrent callers (and the loop) share one ping in flight. */
  check(): Promise<boolean> {
    this.pending ??= this.ping()
      .catch(() => false)
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The current state at once (after a fresh ping when nobody was watching), then each change. */
  async *changes(signal: AbortSignal): AsyncGenerator<boolean> {
    this.watchers++;
    this.ensureLoop();
    try {
      let seen = -1;
      while (!signal.aborted) {
        if (this.state !== undefined && this.version !== seen) {
          seen = this.version;
          yield this.state;
          continue;
        }
        await this.nextPublish(signal);
      }
    } finally {
      this.watchers--;
      if (this.watchers === 0 && this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.loopActive = false;
      }
    }
  }

  private ensureLoop(): void {
    if (this.loopActive) return;
    this.loopActive = true;
    // What was known before nobody watched may be old: new watchers wait for a fresh answer.
    this.state = undefined;
    void this.tick();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const up = await this.check();
    if (up !== this.state) {
      this.state = up;
      this.version++;
      for (const wake of this.waiting) wake();
      this.waiting.clear();
    }
    if (this.watchers > 0) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    else this.loopActive = false;
  }

  private nextPublish(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiting.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiting.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
