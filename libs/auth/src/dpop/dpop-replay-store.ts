/**
 * Remembers the `jti` of every accepted proof for as long as the proof could be accepted, so a
 * replayed proof is refused (RFC 9449 §11.1). The library ships an in-memory store; a service
 * with several instances passes one shared by all of them (auth-api and resource-api use Redis).
 */
export interface DpopReplayStore {
  /** True when `key` was not seen before (and is now remembered until `expiresAtMs`). */
  firstUse(key: string, expiresAtMs: number): Promise<boolean>;
}

/**
 * Proofs remembered at once by default (about 40 MB of heap when full, measured with a
 * thumbprint and a UUID `jti` a key). A proof is remembered for its acceptance window (iat ±
 * leeway, about 70 s by default), so this sustains some 3,500 proofs a second on one instance.
 * That is below what one resource-api instance serves with a reused bound token (bench row 3i):
 * a busier instance passes a larger capacity or a shared store. Beyond it proofs are refused,
 * never held in memory without bound.
 */
export const DEFAULT_DPOP_REPLAY_CAPACITY = 250_000;

/**
 * The per-process store: right for one instance. When it is full, new proofs are refused rather
 * than old ones forgotten early (forgetting would reopen the replay window): fail closed.
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = DEFAULT_DPOP_REPLAY_CAPACITY,
  ) {}

  async firstUse(key: string, expiresAtMs: number): Promise<boolean> {
    const now = this.now();
    this.forgetExpired(now);
    const known = this.seen.get(key);
    if (known !== undefined) {
      if (known > now) return false;
      this.seen.delete(key);
    }
    if (this.seen.size >= this.capacity) return false;
    this.seen.set(key, expiresAtMs);
    return true;
  }

  /** How many proofs are remembered now, expired ones not yet dropped included. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * A Map iterates in insertion order, and every proof is remembered for about the same time, so
   * the expired entries are at the front: stop at the first live one. Each entry is visited once
   * on its way out, so a call costs O(1) amortised, where a sweep of the whole map on every call
   * of a full store would let a flood cost O(n) each. Proofs' `iat` may differ by up to the
   * acceptance window (an old proof beside one from the near future), so an entry that outlives
   * the ones after it holds them back until it expires itself: at most one window later, and
   * while they wait they only take room (a full store refuses: fail closed), never let a replay in.
   */
  private forgetExpired(now: number): void {
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > now) return;
      this.seen.delete(key);
    }
  }
}
