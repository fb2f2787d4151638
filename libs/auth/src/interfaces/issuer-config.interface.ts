import type { AuthPrincipal } from './auth-principal.interface';
import type { JwksClientOptions, StaticPublicKey } from './auth-module-options.interface';
import type { JwtAlgorithm } from './jwt-algorithm';
import type { KeySource, SigningKeyStore } from './key-source.interface';

/**
 * Where a claim lives in the payload. A string is one top-level claim name, taken literally
 * (`'cognito:groups'`, `'https://example.com/roles'`: dots and colons are part of the name); an
 * array walks nested objects (`['realm_access', 'roles']`).
 */
export type ClaimPath = string | readonly string[];

/**
 * How a claim's value is read as a list of names. `array`: a JSON array of strings;
 * `space-delimited`: one string of names separated by spaces (OAuth `scope`); `object-keys`: the
 * keys of a JSON object (Zitadel's roles); `array-or-space-delimited`: either of the first two.
 * A value of any other shape refuses the token (`ERR_CLAIM_INVALID`), it is never ignored.
 */
export type ClaimFormat = 'array' | 'space-delimited' | 'object-keys' | 'array-or-space-delimited';

/** One place names are read from: a path and the shape of its value (default `array`). */
export type ClaimSource = ClaimPath | { path: ClaimPath; format?: ClaimFormat };

/**
 * Which claims make up the principal. Every list is read in order and merged; a missing claim
 * contributes nothing, a claim of the wrong shape refuses the token.
 *
 * @example Keycloak realm and client roles, Entra's `scp`
 * ```ts
 * claims: {
 *   roles: [['realm_access', 'roles'], ['resource_access', 'orders-api', 'roles']],
 *   scope: [{ path: 'scp', format: 'space-delimited' }],
 *   clientId: ['azp'],
 * }
 * ```
 */
export interface ClaimMapping {
  /** Where roles come from. Default `['roles']` (a string array). */
  roles?: ClaimSource[];
  /** Where scopes come from. Default `[{ path: 'scope', format: 'space-delimited' }]`. */
  scope?: ClaimSource[];
  /** Claims naming the client, first present wins (string values only). Default `['client_id']`. */
  clientId?: ClaimPath[];
}

/** A payload claim an access token of this issuer carries (and ID tokens do not). */
export interface AccessTokenMarker {
  /** The claim name, taken literally. */
  claim: string;
  /** Accepted values; omitted: the claim only has to be present. */
  values?: readonly (string | number | boolean)[];
}

/**
 * What makes a token of this issuer an access token. RFC 9068 says `typ: at+jwt`, the default;
 * most providers send `typ: JWT` or none. Allowing either needs `accessTokenClaims` (or
 * `idTokensAsBearers`): a token's header alone then no longer tells an access token from an ID
 * token, so the payload has to. Tokens that are not `at+jwt` and carry `nonce` or `at_hash` (ID
 * tokens, OIDC Core §2) are refused unless `idTokensAsBearers` is set.
 *
 * @example Cognito
 * ```ts
 * tokenType: { headerTypes: ['at+jwt', 'none'], accessTokenClaims: [{ claim: 'token_use', values: ['access'] }] }
 * ```
 */
export interface TokenTypePolicy {
  /** Accepted header `typ`: `at+jwt` (also `application/at+jwt`), `JWT`, or `none` (absent). Default `['at+jwt']`. */
  headerTypes?: Array<'at+jwt' | 'JWT' | 'none'>;
  /** Every token must match at least one of these (checked for every `typ`, `at+jwt` included). */
  accessTokenClaims?: AccessTokenMarker[];
  /** This issuer's bearer tokens are ID tokens (Firebase): accept `nonce`/`at_hash`. Default `false`. */
  idTokensAsBearers?: boolean;
  /** Require a numeric `auth_time` not in the future (beyond the clock tolerance). Default `false`. */
  requireAuthTime?: boolean;
}

/** What {@link IssuerConfig.mapPrincipal} may change: the identity and what it is granted. */
export type PrincipalOverrides = Partial<
  Pick<AuthPrincipal, 'sub' | 'roles' | 'scopes' | 'clientId' | 'sessionId'>
>;

/**
 * One trusted issuer of a multi-issuer `AuthModule` (the `issuers` option). A token's `iss` picks
 * its config by exact string match before any key is looked up; its `kid` is only ever looked up
 * in that issuer's keys, and every rule below applies to it. Give exactly one key source:
 * `jwksUri`, `discovery`, `publicKeys`, `x509Uri`, `keyStore` or `keySource`. The presets
 * (`keycloakIssuer()`, `auth0Issuer()`, …) return one filled in.
 *
 * @example An issuer found through OIDC discovery
 * ```ts
 * AuthModule.forRoot({
 *   issuers: [
 *     { issuer: 'https://id.example.com', audience: 'orders-api', discovery: true, algorithms: ['RS256'] },
 *     keycloakIssuer({ baseUrl: 'https://sso.example.com', realm: 'staff', clientId: 'orders-api' }),
 *   ],
 * })
 * ```
 */
export interface IssuerConfig {
  /**
   * The exact `iss`, or several spellings of the same issuer (Entra's v1 and v2). A
   * `{tenantid}` placeholder is expanded once per entry of `tenants`: matching stays exact.
   */
  issuer: string | string[];
  /** Allowed tenants for a `{tenantid}` issuer; required with one, refused without one. */
  tenants?: string[];
  /** With `tenants`: this claim must equal the tenant whose issuer matched. Default `'tid'`. */
  tenantClaim?: string;
  /** Accepted audiences (any one of the token's must be listed). */
  audience: string | string[];
  /** Where the audience is read: `aud` (default), or `client_id` for issuers without `aud` (Cognito). */
  audienceClaim?: 'aud' | 'client_id';
  /** Allowlist of signature algorithms for this issuer. Default `['ES256']`. */
  algorithms?: JwtAlgorithm[];
  /** Key source: this JWK Set. */
  jwksUri?: string;
  /**
   * Key source: the `jwks_uri` of the issuer's metadata, fetched from
   * `<issuer>/.well-known/openid-configuration` (falling back to RFC 8414's
   * `/.well-known/oauth-authorization-server`); `true` derives it from `issuer`, a string is the
   * issuer identifier to discover. The document's `issuer` must equal it exactly (RFC 8414 §3.3).
   */
  discovery?: boolean | string;
  /** Key source: static keys. */
  publicKeys?: StaticPublicKey[];
  /** Key source: a JSON map of `kid` to X.509 PEM certificate (Google's securetoken format). */
  x509Uri?: string;
  /** Key source: a key store that also signs (the app's own issuer). */
  keyStore?: SigningKeyStore;
  /** Key source: any {@link KeySource}. */
  keySource?: KeySource;
  /** Tuning of the remote key fetches (`jwksUri`, `discovery`, `x509Uri`). */
  jwks?: JwksClientOptions;
  /** Leeway for `exp`, `nbf`, `iat` (and `auth_time`) in seconds. Default: the module's, `5`. */
  clockToleranceSeconds?: number;
  /** Which tokens count as access tokens. Default: `typ: at+jwt` only. */
  tokenType?: TokenTypePolicy;
  /** Where roles, scopes and the client id are read. Default: `roles`, `scope`, `client_id`. */
  claims?: ClaimMapping;
  /** When set, the token's authorized party must be one of these (OIDC `azp`). */
  authorizedParties?: string[];
  /** The claim holding the authorized party. Default `'azp'` (Okta: `'cid'`, Entra v1: `'appid'`). */
  authorizedPartyClaim?: string;
  /**
   * Claims that must be present with one of the given values (`{ role: 'authenticated' }`,
   * `{ token_use: ['access'] }`), or present at all (`true`).
   */
  requiredClaims?: Record<string, string | number | boolean | readonly (string | number)[]>;
  /**
   * Last say over the principal, after every check passed; runs synchronously on every uncached
   * verification. The result is validated (strings and string lists) and frozen; `issuer` and
   * `tenant` cannot be changed.
   */
  mapPrincipal?: (principal: AuthPrincipal) => PrincipalOverrides;
}
