import { DiscoveryKeySource } from './discovery-key-source';
import type { AuthClock } from './interfaces/auth-clock.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import type { KeySource } from './interfaces/key-source.interface';
import { JwksKeySource } from './jwks-key-source';
import type { ResolvedKeySource } from './resolved-key-source';
import { StaticKeySource } from './static-key-source';
import { X509KeySource } from './x509-key-source';

/**
 * The {@link KeySource} of one trusted issuer, from its validated options. Each issuer gets its
 * own: a `kid` is only ever looked up among the keys of the issuer the token's `iss` chose.
 *
 * @example The key source AuthModule provides as `KeySource` (the first issuer's)
 * ```ts
 * const options = resolveAuthOptions({ issuers: [keycloakIssuer({ baseUrl, realm: 'staff', clientId: 'orders-api' })] });
 * const keys = createKeySource(options.keySource, options.algorithms, options.clock);
 * ```
 */
export function createKeySource(
  source: ResolvedKeySource,
  algorithms: ReadonlySet<JwtAlgorithm>,
  clock: AuthClock,
): KeySource {
  switch (source.kind) {
    case 'store':
      return source.store;
    case 'custom':
      return source.source;
    case 'static':
      return new StaticKeySource(source.keys, algorithms);
    case 'jwks':
      return new JwksKeySource(source.uri, source.client, algorithms, clock);
    case 'discovery':
      return new DiscoveryKeySource(source.issuer, source.client, algorithms, clock);
    case 'x509':
      return new X509KeySource(source.uri, source.client, algorithms, clock);
  }
}
