import type { IssuerConfig } from './interfaces/issuer-config.interface';
import {
  applyPresetOptions,
  type IssuerPresetOptions,
  presetBaseUrl,
  presetSegment,
} from './issuer-preset';

/** Options of {@link keycloakIssuer}. */
export interface KeycloakIssuerOptions extends IssuerPresetOptions {
  /** Where Keycloak answers, e.g. `https://sso.example.com` (before Keycloak 17: `…/auth`). */
  baseUrl: string;
  realm: string;
  /** The client this API is in Keycloak: its client roles become roles, and the default audience. */
  clientId: string;
  /**
   * Accepted `aud`. Default: `clientId`. Keycloak puts a client in `aud` only through an
   * audience mapper (or client scope); without one its tokens carry `account` and are refused.
   */
  audience?: string | string[];
}

/**
 * Access tokens from a Keycloak realm: issuer `<baseUrl>/realms/<realm>`, keys from its
 * `/protocol/openid-connect/certs`, RS256, header `typ: JWT` (or `at+jwt` when the client
 * attribute is set) with the payload's `typ: Bearer` required (Keycloak's ID tokens say `ID`,
 * refresh tokens `Refresh`). Roles from `realm_access.roles` and
 * `resource_access.<clientId>.roles`; scopes from `scope`; the client from `client_id` or `azp`.
 *
 * @example
 * ```ts
 * AuthModule.forRoot({
 *   issuers: [keycloakIssuer({ baseUrl: 'https://sso.example.com', realm: 'staff', clientId: 'orders-api' })],
 *   roleHierarchy: { admin: ['editor'] },
 * })
 * ```
 */
export function keycloakIssuer(options: KeycloakIssuerOptions): IssuerConfig {
  const baseUrl = presetBaseUrl('keycloakIssuer', 'baseUrl', options.baseUrl);
  const realm = presetSegment('keycloakIssuer', 'realm', options.realm);
  const clientId = presetSegment('keycloakIssuer', 'clientId', options.clientId);
  const issuer = `${baseUrl}/realms/${realm}`;
  return applyPresetOptions(
    {
      issuer,
      audience: options.audience ?? clientId,
      algorithms: ['RS256'],
      jwksUri: `${issuer}/protocol/openid-connect/certs`,
      tokenType: {
        headerTypes: ['at+jwt', 'JWT'],
        accessTokenClaims: [{ claim: 'typ', values: ['Bearer'] }],
      },
      claims: {
        roles: [
          ['realm_access', 'roles'],
          ['resource_access', clientId, 'roles'],
        ],
        clientId: ['client_id', 'azp'],
      },
    },
    options,
  );
}
