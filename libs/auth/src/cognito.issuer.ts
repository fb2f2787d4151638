import type { IssuerConfig } from './interfaces/issuer-config.interface';
import { applyPresetOptions, type IssuerPresetOptions } from './issuer-preset';
import { fail } from './resolved-key-source';

/** Options of {@link cognitoIssuer}. */
export interface CognitoIssuerOptions extends IssuerPresetOptions {
  /** AWS region of the user pool, e.g. `eu-west-1`. */
  region: string;
  /** The user pool id, e.g. `eu-west-1_AbCdEf123`. */
  userPoolId: string;
  /** App client ids whose access tokens are accepted (Cognito puts it in `client_id`; no `aud`). */
  clientIds: string[];
}

/**
 * Access tokens from an Amazon Cognito user pool: issuer
 * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, keys from its
 * `/.well-known/jwks.json`, RS256, no header `typ`. Cognito access tokens have no `aud`: the
 * audience is `client_id`, which must be one of `clientIds`, and `token_use` must be `access`
 * (an ID token says `id`). Roles from `cognito:groups`, scopes from `scope`.
 *
 * @example
 * ```ts
 * cognitoIssuer({ region: 'eu-west-1', userPoolId: 'eu-west-1_AbCdEf123', clientIds: ['5t9c2k...'] })
 * ```
 */
export function cognitoIssuer(options: CognitoIssuerOptions): IssuerConfig {
  const { region, userPoolId } = options;
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region))
    fail(`cognitoIssuer: region is not an AWS region: ${String(region)}`);
  if (typeof userPoolId !== 'string' || !new RegExp(`^${region}_[A-Za-z0-9]+$`).test(userPoolId))
    fail(`cognitoIssuer: userPoolId must look like ${region}_AbC123: ${String(userPoolId)}`);
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  return applyPresetOptions(
    {
      issuer,
      audience: options.clientIds,
      audienceClaim: 'client_id',
      algorithms: ['RS256'],
      jwksUri: `${issuer}/.well-known/jwks.json`,
      tokenType: {
        headerTypes: ['none', 'JWT', 'at+jwt'],
        accessTokenClaims: [{ claim: 'token_use', values: ['access'] }],
      },
      requiredClaims: { token_use: 'access' },
      claims: { roles: ['cognito:groups'], clientId: ['client_id'] },
    },
    options,
  );
}
