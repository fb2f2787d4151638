import type { IssuerConfig } from './interfaces/issuer-config.interface';
import { applyPresetOptions, type IssuerPresetOptions } from './issuer-preset';
import { fail } from './resolved-key-source';

/** Options of {@link entraIdIssuer}: give `tenantId` or `tenants`. */
export interface EntraIdIssuerOptions extends IssuerPresetOptions {
  /** The one tenant (directory id, a GUID) whose tokens are accepted. */
  tenantId?: string;
  /**
   * A multi-tenant app: the tenants whose tokens are accepted. Never "any tenant": each id
   * becomes one exact issuer, and the token's `tid` must be that tenant.
   */
  tenants?: string[];
  /** The API's application (client) id and/or App ID URI (`api://…`), as in `aud`. */
  audience: string | string[];
  /** Also accept v1.0 tokens (issuer `https://sts.windows.net/<tid>/`). Default `false`. */
  v1?: boolean;
  /** Take `groups` (object ids) as roles besides the app `roles`. Default `true`. */
  groups?: boolean;
}

/**
 * Access tokens from Microsoft Entra ID: issuer `https://login.microsoftonline.com/<tid>/v2.0`
 * (and `https://sts.windows.net/<tid>/` with `v1`) for each allowed tenant, `tid` matching, keys
 * from the tenant's (or, for several tenants, the common) `discovery/v2.0/keys`, RS256, header
 * `typ: JWT`. An access token carries `azpacr` (v2) or `appidacr` (v1), which ID tokens do not;
 * ID tokens are refused. Roles from `roles` and `groups`: a groups overage (`_claim_names`,
 * more than 200 groups) refuses the token rather than granting it without its groups. Scopes
 * from `scp`, the client from `azp` (v2) or `appid` (v1).
 *
 * @example A single-tenant API
 * ```ts
 * entraIdIssuer({ tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad', audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3' })
 * ```
 *
 * @example A multi-tenant API: only these customers' tenants
 * ```ts
 * entraIdIssuer({ tenants: ['9188040d-…', '72f988bf-…'], audience: 'api://orders', v1: true })
 * ```
 */
export function entraIdIssuer(options: EntraIdIssuerOptions): IssuerConfig {
  const { tenantId, tenants } = options;
  if ((tenantId === undefined) === (tenants === undefined))
    fail('entraIdIssuer: give exactly one of tenantId and tenants');
  const allowed = tenants ?? [tenantId as string];
  // "common", "organizations" and "consumers" are endpoints, not tenants a token can come from.
  if (allowed.some((t) => ['common', 'organizations', 'consumers'].includes(String(t))))
    fail('entraIdIssuer: list tenant ids, not common/organizations/consumers');
  const keysTenant = allowed.length === 1 ? allowed[0] : 'common';
  const groups = options.groups ?? true;
  return applyPresetOptions(
    {
      issuer: [
        'https://login.microsoftonline.com/{tenantid}/v2.0',
        ...(options.v1 ? ['https://sts.windows.net/{tenantid}/'] : []),
      ],
      tenants: allowed,
      tenantClaim: 'tid',
      audience: options.audience,
      algorithms: ['RS256'],
      jwksUri: `https://login.microsoftonline.com/${keysTenant}/discovery/v2.0/keys`,
      tokenType: {
        headerTypes: ['JWT', 'at+jwt'],
        accessTokenClaims: [{ claim: 'azpacr' }, { claim: 'appidacr' }],
      },
      claims: {
        roles: ['roles', ...(groups ? ['groups'] : [])],
        scope: [{ path: 'scp', format: 'space-delimited' }],
        clientId: ['azp', 'appid'],
      },
    },
    options,
  );
}
