import type { IssuerConfig } from './interfaces/issuer-config.interface';
import {
  applyPresetOptions,
  type IssuerPresetOptions,
  presetBaseUrl,
  presetSegment,
} from './issuer-preset';

/** Options of {@link zitadelIssuer}. */
export interface ZitadelIssuerOptions extends IssuerPresetOptions {
  /** The instance URL, e.g. `https://example-abc123.zitadel.cloud`. */
  issuer: string;
  /** The project id: Zitadel puts it in `aud` (next to the client ids) when the project is requested. */
  projectId: string;
  /** When given, only tokens of these clients (`client_id`) are accepted. */
  clientIds?: string[];
}

/**
 * JWT access tokens from Zitadel (the application's token type set to JWT): keys from
 * `<issuer>/oauth/v2/keys`, RS256, header `typ: JWT`. `aud` must hold the project id; an access
 * token carries `client_id`, and ID tokens (`nonce`, `at_hash`) are refused. Roles are the keys
 * of `urn:zitadel:iam:org:project:roles` and `urn:zitadel:iam:org:project:<projectId>:roles`
 * (request the `urn:zitadel:iam:org:projects:roles` scope); scopes from `scope`.
 *
 * @example
 * ```ts
 * zitadelIssuer({ issuer: 'https://example-abc123.zitadel.cloud', projectId: '249842349842' })
 * ```
 */
export function zitadelIssuer(options: ZitadelIssuerOptions): IssuerConfig {
  const issuer = presetBaseUrl('zitadelIssuer', 'issuer', options.issuer);
  const projectId = presetSegment('zitadelIssuer', 'projectId', options.projectId);
  return applyPresetOptions(
    {
      issuer,
      audience: projectId,
      algorithms: ['RS256'],
      jwksUri: `${issuer}/oauth/v2/keys`,
      tokenType: { headerTypes: ['JWT', 'at+jwt'], accessTokenClaims: [{ claim: 'client_id' }] },
      claims: {
        roles: [
          { path: 'urn:zitadel:iam:org:project:roles', format: 'object-keys' },
          { path: `urn:zitadel:iam:org:project:${projectId}:roles`, format: 'object-keys' },
        ],
        clientId: ['client_id'],
      },
      ...(options.clientIds
        ? { authorizedParties: options.clientIds, authorizedPartyClaim: 'client_id' }
        : {}),
    },
    options,
  );
}
