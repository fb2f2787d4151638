import type { IssuerConfig } from './interfaces/issuer-config.interface';
import { applyPresetOptions, type IssuerPresetOptions, presetBaseUrl } from './issuer-preset';

/** Options of {@link authApiIssuer}. */
export interface AuthApiIssuerOptions extends IssuerPresetOptions {
  /** auth-api's issuer URL (its `ISSUER`), e.g. `https://auth.example.com`. */
  issuer: string;
  /** This API's name in the tokens' `aud`. */
  audience: string | string[];
}

/**
 * Tokens from this project's auth-api, or any issuer in the RFC 9068 profile: `typ: at+jwt`,
 * ES256, a flat `roles` array, a `scope` string, `client_id`; keys from
 * `<issuer>/.well-known/jwks.json`. The library's defaults, as a preset.
 *
 * @example
 * ```ts
 * AuthModule.forRoot({
 *   issuers: [authApiIssuer({ issuer: 'https://auth.example.com', audience: 'orders-api' })],
 * })
 * ```
 */
export function authApiIssuer(options: AuthApiIssuerOptions): IssuerConfig {
  const issuer = presetBaseUrl('authApiIssuer', 'issuer', options.issuer);
  return applyPresetOptions(
    {
      issuer,
      audience: options.audience,
      algorithms: ['ES256'],
      jwksUri: `${issuer}/.well-known/jwks.json`,
    },
    options,
  );
}
