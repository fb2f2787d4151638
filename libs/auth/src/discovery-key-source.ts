import type { AuthClock } from './interfaces/auth-clock.interface';
import type { JwksClientOptions } from './interfaces/auth-module-options.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import type { VerificationKey } from './interfaces/key-source.interface';
import { JwksKeySource } from './jwks-key-source';

/**
 * The metadata URLs of an issuer, in the order they are tried: OpenID Connect Discovery 1.0 §4
 * appends `/.well-known/openid-configuration` to the issuer; RFC 8414 §3.1 inserts
 * `/.well-known/oauth-authorization-server` between the host and the issuer's path.
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/**
 * Verification keys of an issuer found through its metadata: the `jwks_uri` of its OpenID
 * Connect discovery document (or RFC 8414 authorization server metadata), then the JWK Set there
 * with {@link JwksKeySource}'s rules (keys by `kid`, one refresh per cooldown, background
 * refresh, last good set kept while the issuer is down).
 *
 * The document must name exactly the configured issuer (RFC 8414 §3.3, OIDC Discovery §4.3):
 * otherwise one issuer's metadata could point us at another's keys. The metadata is fetched again
 * with every key-set refresh, so an issuer that moves its `jwks_uri` is followed.
 *
 * @example
 * ```ts
 * const keys = new DiscoveryKeySource('https://id.example.com', { timeoutMs: 5000, cooldownMs: 30000, maxAgeMs: 600000 }, new Set(['RS256']), systemClock);
 * ```
 */
export class DiscoveryKeySource extends JwksKeySource {
  /** The `jwks_uri` the last good metadata document named. */
  private jwksUri: string | undefined;

  constructor(
    private readonly issuer: string,
    options: Required<JwksClientOptions>,
    allowed: ReadonlySet<JwtAlgorithm>,
    clock: AuthClock,
  ) {
    super(issuer, options, allowed, clock);
  }

  /** The `jwks_uri` in use, once metadata has been read. */
  get discoveredJwksUri(): string | undefined {
    return this.jwksUri;
  }

  protected override async fetchKeys(): Promise<Map<string, VerificationKey>> {
    const jwksUri = await this.discover();
    const { body } = await this.fetchJson(jwksUri, 'application/jwk-set+json, application/json');
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new Error(`${jwksUri} is not a JWK Set`);
    this.jwksUri = jwksUri;
    return this.parseKeys(keys);
  }

  private async discover(): Promise<string> {
    const failures: string[] = [];
    for (const url of metadataUrls(this.issuer)) {
      let body: unknown;
      try {
        ({ body } = await this.fetchJson(url, 'application/json'));
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
        continue;
      }
      // A document that exists but is wrong is a refusal, not a reason to try the next URL.
      return this.jwksUriOf(body, url);
    }
    throw new Error(`no issuer metadata (${failures.join('; ')})`);
  }

  private jwksUriOf(body: unknown, url: string): string {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new Error(`${url} is not a metadata document`);
    const { issuer, jwks_uri: jwksUri } = body as { issuer?: unknown; jwks_uri?: unknown };
    if (issuer !== this.issuer)
      throw new Error(`${url} names issuer ${String(issuer)}, not ${this.issuer}`);
    if (typeof jwksUri !== 'string') throw new Error(`${url} has no jwks_uri`);
    const parsed = new URL(jwksUri);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new Error(`${url} has a jwks_uri that is not http(s)`);
    // An https issuer's keys over plain http would let anyone on the path swap them.
    if (new URL(this.issuer).protocol === 'https:' && parsed.protocol !== 'https:')
      throw new Error(`${url} downgrades jwks_uri to http`);
    return parsed.toString();
  }
}
