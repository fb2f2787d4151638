/**
 * Remembers the `jti` of every accepted proof for as long as the proof could be accepted, so a
 * replayed proof is refused (RFC 9449 §11.1). The library ships an in-memory store; a service
 * with several instances passes one shared by all of them (auth-api and resource-api use Redis).
 */
export interface DpopReplayStore {
  /** True when `key` was not seen before (and is now remembered until `expiresAtMs`). */
  firstUse(key: string, expiresAtMs: number): Promise<boolean>;
}

/** At most this many proofs are remembered at once: a flood cannot exhaust memory. */
const MAX_ENTRIES = 100_000;

/**
 * The per-process store: right for one instance. When it is full, new proofs are refused rather
 * than old ones forgotten early (forgetting would reopen the replay window): fail closed.
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async firstUse(key: string, expiresAtMs: number): Promise<boolean> {
    const now = this.now();
    if (this.seen.size >= MAX_ENTRIES) this.sweep(now);
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return false;
    if (this.seen.size >= MAX_ENTRIES) return false;
    this.seen.set(key, expiresAtMs);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(key);
  }
}
