import type { IssuerConfig } from './interfaces/issuer-config.interface';
import {
  applyPresetOptions,
  type IssuerPresetOptions,
  presetHost,
  presetSegment,
} from './issuer-preset';

/** Options of {@link oktaIssuer}. */
export interface OktaIssuerOptions extends IssuerPresetOptions {
  /** The Okta org domain (`example.okta.com`) or custom domain, without `https://`. */
  domain: string;
  /** The custom authorization server. Default `default`. */
  authorizationServerId?: string;
  /** Accepted `aud`. Default `api://default` (the default server's audience). */
  audience?: string | string[];
  /** When given, only tokens of these clients (`cid`) are accepted. */
  clientIds?: string[];
}

/**
 * Access tokens from an Okta custom authorization server: issuer
 * `https://<domain>/oauth2/<authorizationServerId>`, keys from its `/v1/keys`, RS256, no header
 * `typ`. An access token carries `scp`, an array of scopes (ID tokens do not); roles from
 * `groups` (add a groups claim to the server), the client from `cid`.
 *
 * @example
 * ```ts
 * oktaIssuer({ domain: 'example.okta.com', audience: 'api://orders', clientIds: ['0oa1b2c3d4'] })
 * ```
 */
export function oktaIssuer(options: OktaIssuerOptions): IssuerConfig {
  const domain = presetHost('oktaIssuer', 'domain', options.domain);
  const server = presetSegment(
    'oktaIssuer',
    'authorizationServerId',
    options.authorizationServerId ?? 'default',
  );
  const issuer = `https://${domain}/oauth2/${server}`;
  return applyPresetOptions(
    {
      issuer,
      audience: options.audience ?? 'api://default',
      algorithms: ['RS256'],
      jwksUri: `${issuer}/v1/keys`,
      tokenType: { headerTypes: ['none', 'JWT', 'at+jwt'], accessTokenClaims: [{ claim: 'scp' }] },
      claims: {
        roles: ['groups'],
        scope: [{ path: 'scp', format: 'array' }],
        clientId: ['cid'],
      },
      ...(options.clientIds
        ? { authorizedParties: options.clientIds, authorizedPartyClaim: 'cid' }
        : {}),
    },
    options,
  );
}
