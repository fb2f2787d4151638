import { LRUCache } from 'lru-cache';

import type { AuthClock } from './interfaces/auth-clock.interface';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import type { KeySource } from './interfaces/key-source.interface';

interface CacheEntry {
  /** The whole token: a lookup by signature is a hit only for exactly this text. */
  token: string;
  principal: AuthPrincipal;
  kid: string;
  /**
   * The key source of the issuer that verified the token: the one asked whether `kid` is still
   * there. Another issuer's key of the same `kid` never keeps an entry alive.
   */
  keys: KeySource;
  /** Milliseconds since the epoch at which the entry dies: the token's `exp`, never later. */
  expiresAtMs: number;
}

/**
 * Remembers tokens that passed verification, so that a client reusing its token skips the
 * signature check. A bounded LRU from `lru-cache`.
 *
 * An entry is found by the token's signature segment and is a hit only when the whole text is
 * the same: exactly "keyed by the token text", for the price of hashing 86 characters (ES256)
 * instead of 600 or more. Hashing the whole token, a new string on every request, was a quarter
 * of a cached request's guard cost. A forged token that copies a cached token's signature finds
 * that entry, differs from it, and is verified (and refused) like any other.
 *
 * Not a plain `Map` with delete-and-set on each hit: V8 leaves a deleted entry in its bucket's
 * chain until the table is rehashed, so a token hit over and over in a full cache walks a chain
 * of thousands of its own dead copies (measured: 23 µs a hit with 10,000 entries, 1 µs with 10).
 * `lru-cache` keeps the recency order in index arrays and never deletes a key to refresh it.
 *
 * It can only ever be stricter than verification: an entry dies at the token's `exp` (without
 * the clock tolerance verification allows), and as soon as its signing key leaves the key set.
 * Revocation is not cached: the verifier asks the revocation checker on every request.
 *
 * With several issuers, an entry records the issuer (and tenant) of its principal and that
 * issuer's key source. The lookup key stays the signature plus the whole text: the text holds
 * `iss` (and `tid`), so two issuers' tokens can never share an entry, and putting the issuer
 * in the key would cost a payload decode on every hit.
 */
export class VerifiedTokenCache {
  /** Undefined when the cache is off (`maxEntries` 0). */
  private readonly entries: LRUCache<string, CacheEntry> | undefined;

  constructor(
    maxEntries: number,
    private readonly keySource: KeySource,
    private readonly clock: AuthClock,
  ) {
    this.entries = maxEntries > 0 ? new LRUCache({ max: maxEntries }) : undefined;
  }

  get enabled(): boolean {
    return this.entries !== undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get(token: string): AuthPrincipal | undefined {
    // A caller's non-string (TokenService.verify is public) is not a token: verification refuses it.
    if (!this.entries || typeof token !== 'string') return undefined;
    const signature = signatureOf(token);
    const entry = this.entries.get(signature);
    if (!entry || entry.token !== token) return undefined;
    if (this.clock.now() >= entry.expiresAtMs || !entry.keys.hasKey(entry.kid)) {
      this.entries.delete(signature);
      return undefined;
    }
    return entry.principal;
  }

  /**
   * Remembers a verified token. `keys` is the key source of the issuer that verified it (default:
   * the source this cache was built with, the single issuer's).
   */
  set(
    token: string,
    principal: AuthPrincipal,
    kid: string,
    keys: KeySource = this.keySource,
  ): void {
    if (!this.entries) return;
    const expiresAtMs = principal.expiresAt * 1000;
    if (this.clock.now() >= expiresAtMs) return;
    this.entries.set(signatureOf(token), { token, principal, kid, keys, expiresAtMs });
  }

  clear(): void {
    this.entries?.clear();
  }
}

/** The JWS signature segment: everything after the last dot. */
function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}
