import type { AuthClock } from './interfaces/auth-clock.interface';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import type { KeySource } from './interfaces/key-source.interface';

interface CacheEntry {
  principal: AuthPrincipal;
  kid: string;
  /** Milliseconds since the epoch at which the entry dies: the token's `exp`, never later. */
  expiresAtMs: number;
}

/**
 * Remembers tokens that passed verification, keyed by the exact token text, so that a client
 * reusing its token skips the signature check. A bounded LRU (a `Map` keeps insertion order;
 * a hit moves the entry to the end).
 *
 * It can only ever be stricter than verification: an entry dies at the token's `exp` (without
 * the clock tolerance verification allows), and as soon as its signing key leaves the key set.
 * Revocation is not cached: the verifier asks the revocation checker on every request.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly maxEntries: number,
    private readonly keySource: KeySource,
    private readonly clock: AuthClock,
  ) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string): AuthPrincipal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.clock.now() >= entry.expiresAtMs || !this.keySource.hasKey(entry.kid)) {
      this.entries.delete(token);
      return undefined;
    }
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry.principal;
  }

  set(token: string, principal: AuthPrincipal, kid: string): void {
    if (!this.enabled) return;
    const expiresAtMs = principal.expiresAt * 1000;
    if (this.clock.now() >= expiresAtMs) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(token, { principal, kid, expiresAtMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
