import { Logger } from '@nestjs/common';
import type { JsonWebKey } from 'node:crypto';

import type { AuthClock } from './interfaces/auth-clock.interface';
import type { JwksClientOptions } from './interfaces/auth-module-options.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import type { KeySource, VerificationKey } from './interfaces/key-source.interface';
import { createVerificationKey } from './verification-key.factory';

/** A JWK Set larger than this is refused: no honest issuer publishes one. */
const MAX_JWKS_BYTES = 512 * 1024;
/** After a failed fetch, wait at least this long before the next one, even without a cooldown. */
const FAILURE_BACKOFF_MS = 1000;

/**
 * Verification keys from a remote JWK Set, looked up by `kid`.
 *
 * Hand-written rather than taken from jose's `createRemoteJWKSet` because the verifier needs
 * `KeyObject`s for `node:crypto` (jose 6 yields WebCrypto keys), and the verified-token cache
 * needs to know synchronously when a key has left the set.
 *
 * - Keys are parsed once per fetch, never per request.
 * - An unknown `kid` triggers at most one fetch per cooldown, shared by every waiting request,
 *   so tokens with random `kid`s cannot make us hammer the issuer.
 * - A key set older than `maxAgeMs` is refreshed in the background while the cached keys keep
 *   serving; if the issuer is down, the last good set stays in use.
 * - The URL comes from configuration only; a token's `jku`/`x5u` headers are never followed.
 */
export class JwksKeySource implements KeySource {
  protected readonly logger: Logger;
  private keys = new Map<string, VerificationKey>();
  private loadedAt = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastAttemptFailed = false;
  private inFlight: Promise<void> | null = null;

  /**
   * How long the current key set stays fresh: `maxAgeMs`, unless a subclass sets it per fetch
   * (the X.509 source from the response's `Cache-Control: max-age`).
   */
  protected freshForMs: number;

  constructor(
    protected readonly uri: string,
    protected readonly options: Required<JwksClientOptions>,
    protected readonly allowed: ReadonlySet<JwtAlgorithm>,
    protected readonly clock: AuthClock,
  ) {
    this.freshForMs = options.maxAgeMs;
    this.logger = new Logger(new.target.name);
  }

  async getKey(kid: string): Promise<VerificationKey | undefined> {
    const known = this.peekKey(kid);
    if (known) return known;
    await this.refreshIfAllowed();
    return this.keys.get(kid);
  }

  /** A loaded key; a key set past its `maxAgeMs` is refreshed in the background meanwhile. */
  peekKey(kid: string): VerificationKey | undefined {
    const known = this.keys.get(kid);
    if (known && this.clock.now() - this.loadedAt >= this.freshForMs) void this.refreshIfAllowed();
    return known;
  }

  hasKey(kid: string): boolean {
    return this.keys.has(kid);
  }

  /** Fetches unless a fetch is running (then joins it) or the cooldown since the last one has not passed. */
  private refreshIfAllowed(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const wait = this.lastAttemptFailed
      ? Math.min(this.options.cooldownMs, FAILURE_BACKOFF_MS)
      : this.options.cooldownMs;
    if (this.clock.now() - this.lastAttemptAt < wait) return Promise.resolve();
    this.lastAttemptAt = this.clock.now();
    this.inFlight = this.fetchKeys()
      .then((keys) => {
        this.keys = keys;
        this.loadedAt = this.clock.now();
        this.lastAttemptFailed = false;
      })
      .catch((error: unknown) => {
        this.lastAttemptFailed = true;
        this.logger.warn(`key fetch from ${this.uri} failed: ${(error as Error).message}`);
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Fetches and parses the key set; a subclass reads another format or finds the URL first. */
  protected async fetchKeys(): Promise<Map<string, VerificationKey>> {
    const { body } = await this.fetchJson(this.uri, 'application/jwk-set+json, application/json');
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new Error('not a JWK Set');
    return this.parseKeys(keys);
  }

  /**
   * GETs a JSON document with the source's discipline: a timeout, no redirects (a redirect could
   * hand key selection to another host), a size limit, status 200 only.
   */
  protected async fetchJson(
    url: string,
    accept: string,
  ): Promise<{ body: unknown; headers: Headers }> {
    const response = await fetch(url, {
      headers: { accept },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`status ${response.status}`);
    }
    const declaredLength = Number(response.headers.get('content-length') ?? 0);
    if (declaredLength > MAX_JWKS_BYTES) throw new Error('response too large');
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('response too large');
    return { body: JSON.parse(text) as unknown, headers: response.headers };
  }

  protected parseKeys(jwks: unknown[]): Map<string, VerificationKey> {
    const keys = new Map<string, VerificationKey>();
    for (const candidate of jwks) {
      const jwk = candidate as JsonWebKey & { kid?: unknown; use?: unknown; alg?: unknown };
      if (!jwk || typeof jwk !== 'object' || typeof jwk.kid !== 'string') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        const declaredAlg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
        const key = createVerificationKey(jwk.kid, jwk, this.allowed, declaredAlg);
        if (key) keys.set(jwk.kid, key);
      } catch (error) {
        this.logger.warn(`ignoring unusable JWK ${jwk.kid}: ${(error as Error).message}`);
      }
    }
    return keys;
  }
}
