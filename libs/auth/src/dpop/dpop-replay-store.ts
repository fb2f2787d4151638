import { hash } from 'node:crypto';

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
 * Proofs remembered at once by default: about 60 MB of heap when full (61 bytes a proof, bench
 * row 8b; a Map of the proofs' keys took 149). A proof is remembered for its acceptance window
 * (`iat` + 60 s + twice the 5 s leeway by default), so this sustains some 14,000 proofs a second
 * on one instance, above what one resource-api instance serves with a reused bound token and a
 * fresh proof each request (bench row 3i: 8,700/s on a 2-core VM). Beyond it proofs are refused,
 * never held in memory without bound: a busier instance passes a larger capacity or a shared store.
 */
export const DEFAULT_DPOP_REPLAY_CAPACITY = 1_000_000;

/**
 * The per-process store: right for one instance. When it is full, new proofs are refused rather
 * than old ones forgotten early (forgetting would reopen the replay window): fail closed.
 *
 * Each proof is kept as 72 bits of SHA-256 of its key (12 characters) with its expiry in whole
 * seconds after the store was made, rounded up (a small integer V8 stores inline), not as its
 * 80-character key and a timestamp in ms. Two proofs colliding on 72 bits (about one chance in
 * 10^10 for a full store) would only refuse the second: never accept a replay.
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  /** Digest of a proof's key → when it may be forgotten, in seconds after `epochMs`. */
  private readonly seen = new Map<string, number>();
  private readonly epochMs: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = DEFAULT_DPOP_REPLAY_CAPACITY,
  ) {
    this.epochMs = now();
  }

  async firstUse(key: string, expiresAtMs: number): Promise<boolean> {
    const now = this.now();
    this.forgetExpired(now);
    // 12 characters: V8 copies a slice that short, where a longer one would keep the whole
    // digest's text alive. crypto.hash, not createHash: a quarter of the time for a short input.
    const digest = hash('sha256', key, 'base64url').slice(0, 12);
    const known = this.seen.get(digest);
    if (known !== undefined) {
      if (this.msOf(known) > now) return false;
      this.seen.delete(digest);
    }
    if (this.seen.size >= this.capacity) return false;
    this.seen.set(digest, Math.ceil((expiresAtMs - this.epochMs) / 1000));
    return true;
  }

  /** How many proofs are remembered now, expired ones not yet dropped included. */
  get size(): number {
    return this.seen.size;
  }

  private msOf(expiry: number): number {
    return this.epochMs + expiry * 1000;
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
    for (const [digest, expiry] of this.seen) {
      if (this.msOf(expiry) > now) return;
      this.seen.delete(digest);
    }
  }
}
