import type { IssuerConfig } from './interfaces/issuer-config.interface';
import { applyPresetOptions, type IssuerPresetOptions, presetHost } from './issuer-preset';

/** Options of {@link auth0Issuer}. */
export interface Auth0IssuerOptions extends IssuerPresetOptions {
  /** The tenant's domain (`example.eu.auth0.com`) or custom domain, without `https://`. */
  domain: string;
  /** The API identifier (the `audience` clients request tokens for). */
  audience: string | string[];
  /** A namespaced custom claim holding roles (`https://example.com/roles`), set by an Action. */
  rolesClaim?: string;
  /** When given, only tokens issued to these applications (`azp`) are accepted. */
  clientIds?: string[];
}

/**
 * Access tokens from Auth0: issuer `https://<domain>/` (with the trailing slash Auth0 uses), keys
 * from `/.well-known/jwks.json`, RS256, header `typ: JWT` (or `at+jwt` with the RFC 9068 profile).
 * An access token for an API carries `scope` or, with RBAC, `permissions`: one of them is
 * required, ID tokens (`nonce`, `at_hash`) are refused, and `aud` must be the API identifier,
 * which an ID token (audience: the client id) is not. Roles from `permissions` and `rolesClaim`.
 *
 * @example
 * ```ts
 * auth0Issuer({ domain: 'example.eu.auth0.com', audience: 'https://orders.example.com', rolesClaim: 'https://example.com/roles' })
 * ```
 */
export function auth0Issuer(options: Auth0IssuerOptions): IssuerConfig {
  const domain = presetHost('auth0Issuer', 'domain', options.domain);
  return applyPresetOptions(
    {
      issuer: `https://${domain}/`,
      audience: options.audience,
      algorithms: ['RS256'],
      jwksUri: `https://${domain}/.well-known/jwks.json`,
      tokenType: {
        headerTypes: ['at+jwt', 'JWT'],
        accessTokenClaims: [{ claim: 'scope' }, { claim: 'permissions' }],
      },
      claims: {
        roles: ['permissions', ...(options.rolesClaim ? [options.rolesClaim] : [])],
        clientId: ['client_id', 'azp'],
      },
      ...(options.clientIds ? { authorizedParties: options.clientIds } : {}),
    },
    options,
  );
}
