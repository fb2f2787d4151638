import { X509Certificate } from 'node:crypto';

import type { VerificationKey } from './interfaces/key-source.interface';
import { JwksKeySource } from './jwks-key-source';
import { createVerificationKey } from './verification-key.factory';

/** A `max-age` longer than this is read as this: keys are looked at again at least daily. */
const MAX_FRESHNESS_MS = 24 * 60 * 60 * 1000;

/** The `max-age` of a `Cache-Control` header in milliseconds, or `undefined` without a usable one. */
export function cacheControlMaxAgeMs(header: string | null): number | undefined {
  if (!header || /(^|,)\s*no-(cache|store)\s*(,|$)/i.test(header)) return header ? 0 : undefined;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)/i.exec(header);
  return match ? Math.min(Number(match[1]) * 1000, MAX_FRESHNESS_MS) : undefined;
}

/**
 * Verification keys from a JSON map of `kid` to X.509 certificate (PEM), the format Google
 * publishes Firebase's keys in (`…/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com`).
 * Same discipline as {@link JwksKeySource} (timeout, no redirects, size limit, one refresh per
 * cooldown, last good set kept while the endpoint is down), and the set is fresh for as long as
 * the response's `Cache-Control: max-age` says (capped at a day), instead of `maxAgeMs`.
 *
 * A certificate outside its validity period is left out: its key is no longer meant to sign.
 *
 * @example
 * ```ts
 * const keys = new X509KeySource(FIREBASE_X509_URL, { timeoutMs: 5000, cooldownMs: 30000, maxAgeMs: 600000 }, new Set(['RS256']), systemClock);
 * ```
 */
export class X509KeySource extends JwksKeySource {
  protected override async fetchKeys(): Promise<Map<string, VerificationKey>> {
    const { body, headers } = await this.fetchJson(this.uri, 'application/json');
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new Error('not a map of X.509 certificates');
    const now = this.clock.now();
    const keys = new Map<string, VerificationKey>();
    for (const [kid, pem] of Object.entries(body as Record<string, unknown>)) {
      if (typeof pem !== 'string' || kid.length === 0) continue;
      try {
        const certificate = new X509Certificate(pem);
        if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now) {
          this.logger.warn(`ignoring certificate ${kid}: outside its validity period`);
          continue;
        }
        const key = createVerificationKey(kid, certificate.publicKey, this.allowed);
        if (key) keys.set(kid, key);
      } catch (error) {
        this.logger.warn(`ignoring unusable certificate ${kid}: ${(error as Error).message}`);
      }
    }
    this.freshForMs = cacheControlMaxAgeMs(headers.get('cache-control')) ?? this.options.maxAgeMs;
    return keys;
  }
}
