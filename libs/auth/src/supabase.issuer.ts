import type { IssuerConfig } from './interfaces/issuer-config.interface';
import {
  applyPresetOptions,
  type IssuerPresetOptions,
  presetBaseUrl,
  presetSegment,
} from './issuer-preset';
import { fail } from './resolved-key-source';

/** Options of {@link supabaseIssuer}: give `projectRef` or `projectUrl`. */
export interface SupabaseIssuerOptions extends IssuerPresetOptions {
  /** The project ref (the `<ref>` of `<ref>.supabase.co`). */
  projectRef?: string;
  /** The project URL, for a custom domain (`https://db.example.com`). */
  projectUrl?: string;
}

/**
 * User access tokens from Supabase Auth, signed with the project's asymmetric JWT signing keys:
 * issuer `<projectUrl>/auth/v1`, keys from `<issuer>/.well-known/jwks.json`, ES256 or RS256,
 * header `typ: JWT`, `aud: authenticated`. Legacy HS256 tokens are refused (this library never
 * verifies HMAC), and so are the anon and service_role keys: `role` must be `authenticated` and
 * `sub` present. Roles from `app_metadata.roles` (set them with a custom access token hook or
 * the admin API); `role` is the Postgres role, not an application role.
 *
 * @example
 * ```ts
 * supabaseIssuer({ projectRef: 'abcdefghijklmnop' })
 * ```
 */
export function supabaseIssuer(options: SupabaseIssuerOptions): IssuerConfig {
  if ((options.projectRef === undefined) === (options.projectUrl === undefined))
    fail('supabaseIssuer: give exactly one of projectRef and projectUrl');
  const projectUrl =
    options.projectUrl !== undefined
      ? presetBaseUrl('supabaseIssuer', 'projectUrl', options.projectUrl)
      : `https://${presetSegment('supabaseIssuer', 'projectRef', options.projectRef)}.supabase.co`;
  const issuer = `${projectUrl}/auth/v1`;
  return applyPresetOptions(
    {
      issuer,
      audience: 'authenticated',
      algorithms: ['ES256', 'RS256'],
      jwksUri: `${issuer}/.well-known/jwks.json`,
      tokenType: {
        headerTypes: ['JWT', 'at+jwt'],
        accessTokenClaims: [{ claim: 'role', values: ['authenticated'] }],
      },
      requiredClaims: { role: 'authenticated' },
      claims: { roles: [['app_metadata', 'roles']], scope: [], clientId: [] },
    },
    options,
  );
}
