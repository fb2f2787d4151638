import type { DpopNonces } from '../dpop/dpop-nonces';
import type { DpopReplayStore } from '../dpop/dpop-replay-store';
import type { KeyObject, JsonWebKey } from 'node:crypto';

import type { AuthClock } from './auth-clock.interface';
import type { IssuerConfig } from './issuer-config.interface';
import type { JwtAlgorithm } from './jwt-algorithm';
import type { SigningKeyStore } from './key-source.interface';
import type { RevocationChecker } from './revocation-checker.interface';

/** A public key given directly in the configuration. */
export interface StaticPublicKey {
  /** The `kid` tokens signed by this key carry. */
  kid: string;
  /** PEM text (SPKI or certificate), a public JWK, or a parsed `KeyObject`. */
  key: string | JsonWebKey | KeyObject;
  /** Restrict the key to one algorithm (defaults to what its type allows). */
  alg?: JwtAlgorithm;
}

/** Tuning of the remote JWKS client. */
export interface JwksClientOptions {
  /** Abort a JWKS request after this long. Default `5000` ms. */
  timeoutMs?: number;
  /** A token with an unknown `kid` triggers at most one refresh per this interval. Default `30000` ms. */
  cooldownMs?: number;
  /** Refresh a known key set in the background once it is this old. Default `600000` ms (10 min). */
  maxAgeMs?: number;
}

/** Tuning of the verified-token cache. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered at once (least recently used leave first). Default `10000`. */
  maxEntries?: number;
}

/**
 * Options of `AuthModule.forRoot()` / `forRootAsync()`. Give `issuer` and `audience` with exactly
 * one key source (`jwksUri`, `publicKeys` or `keyStore`), or `issuers`, or both.
 *
 * @example A resource server that trusts one issuer's JWKS
 * ```ts
 * AuthModule.forRoot({
 *   issuer: 'https://auth.example.com',
 *   audience: 'orders-api',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 *   roleHierarchy: { admin: ['editor'], editor: ['user'] },
 * })
 * ```
 *
 * @example Keys from configuration, with RS256 as well as ES256
 * ```ts
 * AuthModule.forRoot({
 *   issuer: 'https://auth.example.com',
 *   audience: ['orders-api', 'billing-api'],
 *   algorithms: ['ES256', 'RS256'],
 *   publicKeys: [{ kid: '2026-11', key: process.env.JWT_PUBLIC_KEY_PEM! }],
 * })
 * ```
 *
 * @example Tokens from Keycloak and from Entra ID, in one app
 * ```ts
 * AuthModule.forRoot({
 *   issuers: [
 *     keycloakIssuer({ baseUrl: 'https://sso.example.com', realm: 'staff', clientId: 'orders-api' }),
 *     entraIdIssuer({ tenantId: process.env.ENTRA_TENANT_ID!, audience: process.env.ENTRA_API_CLIENT_ID! }),
 *   ],
 * })
 * ```
 */
export interface AuthModuleOptions {
  /**
   * The only accepted `iss` (with `issuers`: one more), and the `iss` of tokens signed by
   * `TokenService`. Required unless `issuers` is given.
   */
  issuer?: string;
  /**
   * Accepted `aud` values (a token passes if any of its audiences is listed). The first is used
   * when signing. Required with `issuer`.
   */
  audience?: string | string[];
  /**
   * More trusted issuers, each with its own keys, algorithms, audience and claim mapping (see
   * {@link IssuerConfig} and the presets such as `keycloakIssuer()`). A token's `iss` chooses one
   * by exact match before any key is looked up. The top-level `issuer`, when given, comes first.
   */
  issuers?: IssuerConfig[];
  /** Allowlist of signature algorithms. Default `['ES256']`. HMAC and `none` cannot be enabled. */
  algorithms?: JwtAlgorithm[];
  /** Fetch verification keys from this JWK Set, by `kid`. */
  jwksUri?: string;
  /** Tuning of the JWKS client used with `jwksUri`. */
  jwks?: JwksClientOptions;
  /** Static verification keys. */
  publicKeys?: StaticPublicKey[];
  /** An issuer's key store: verifies and lets `TokenService` sign. */
  keyStore?: SigningKeyStore;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds; also the default of every `issuers` entry. Default `5`. */
  clockToleranceSeconds?: number;
  /** Tokens longer than this many bytes are refused before any parsing. Default `8192`. */
  maxTokenBytes?: number;
  /**
   * Which roles imply which: `{ admin: ['editor'], editor: ['user'] }` lets an admin pass every
   * `@Roles('editor')` and `@Roles('user')` check. Cycles are rejected at start.
   */
  roleHierarchy?: Record<string, string[]>;
  /** Lifetime of tokens signed by `TokenService`, in seconds. Default `900`. */
  accessTokenTtlSeconds?: number;
  /** Remember verified tokens so that a reused token skips signature verification; `false` turns it off. */
  verifiedTokenCache?: VerifiedTokenCacheOptions | false;
  /** Asked after every verification; return `true` to refuse a token before it expires. */
  revocationChecker?: RevocationChecker;
  /**
   * `acr` values that satisfy `@RequireAuthLevel('mfa')`, besides an `amr` holding `mfa`. Default
   * `['2']`: level 2 (multi-factor) in auth-api's and Keycloak's numbering. Give your issuer's own
   * (`['http://schemas.openid.net/pape/policies/2007/06/multi-factor']`, …), or `[]` to decide on
   * `amr` alone. The first value is what a refusal's `acr_values` asks for first. One list for every
   * trusted issuer: with several, list only values that mean multi-factor at each of them.
   */
  mfaAcrValues?: string[];
  /**
   * DPoP (RFC 9449) on HTTP routes. Always on: a token bound to a key (`cnf.jkt`) is refused as a
   * Bearer token and accepted as `Authorization: DPoP <token>` with a `DPoP` proof by that key.
   * These options tune the proof checks.
   */
  dpop?: AuthDpopOptions;
  /** `realm` of the `WWW-Authenticate` challenge. Default: the first audience. */
  realm?: string;
  /** Time source; tests pass a fake one. Default: the system clock. */
  clock?: AuthClock;
}

/** Extras of `forRoot`/`forRootAsync` that shape the module itself rather than its behaviour. */
export interface AuthModuleExtras {
  /**
   * Register the JWT, roles, scopes and auth-level guards as global guards (every route needs a
   * valid token unless marked `@Public()`). Default `true`. With `false`, apply them with `@UseGuards()`.
   */
  globalGuards?: boolean;
  /** Make the module's providers (`TokenService`, guards) injectable everywhere. Default `true`. */
  isGlobal?: boolean;
}

/** See {@link AuthModuleOptions.dpop}. */
export interface AuthDpopOptions {
  /** Refuse Bearer tokens: every token must be DPoP-bound. Default `false`. */
  required?: boolean;
  /** Proof algorithms accepted. Default: ES256, ES384, PS256, RS256, EdDSA. */
  algorithms?: string[];
  /** How old a proof (`iat`) may be, in seconds. Default `60`. */
  maxAgeSeconds?: number;
  /** Where used `jti`s are remembered. Default: this process's memory; share one across instances. */
  replayStore?: DpopReplayStore;
  /** Demand server nonces (RFC 9449 §9): give the instances one shared {@link DpopNonces}. */
  nonces?: DpopNonces;
  /**
   * The origin clients call this API at (`https://api.example.com`), for the `htu` check behind a
   * proxy. Default: the request's scheme and `Host`.
   */
  publicUrl?: string;
}
