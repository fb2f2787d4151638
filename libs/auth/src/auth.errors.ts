import { type AuthGraphqlExtensions, describeAuthErrorForGraphql } from './auth-error.response';

/**
 * Every reason the library refuses a request. The code is stable: match on it, not on the message.
 *
 * Token codes (`ERR_TOKEN_*`, `ERR_ALG_*`, `ERR_KID_*`, …) become 401 `invalid_token`;
 * `ERR_TOKEN_MISSING` becomes 401 without an error attribute; `ERR_INSUFFICIENT_SCOPE` 403
 * `insufficient_scope`; `ERR_INSUFFICIENT_ROLE` 403 `forbidden`;
 * `ERR_INSUFFICIENT_USER_AUTHENTICATION` 401 `insufficient_user_authentication` (RFC 9470). The
 * mapping lives in one place: {@link describeAuthError}.
 */
export type AuthErrorCode =
  | 'ERR_TOKEN_MISSING'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_ALG_NOT_ALLOWED'
  | 'ERR_TYP_INVALID'
  | 'ERR_HEADER_FORBIDDEN'
  | 'ERR_CRIT_UNSUPPORTED'
  | 'ERR_KID_UNKNOWN'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_ISSUER_INVALID'
  | 'ERR_AUDIENCE_INVALID'
  | 'ERR_CLAIM_INVALID'
  | 'ERR_TOKEN_REVOKED'
  | 'ERR_INSUFFICIENT_ROLE'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_INSUFFICIENT_USER_AUTHENTICATION'
  | 'ERR_DPOP_PROOF_INVALID'
  | 'ERR_DPOP_NONCE_REQUIRED'
  | 'ERR_DPOP_BINDING';

/**
 * How a refusal of a request that used (or had to use) DPoP is challenged (RFC 9449 §7.1): with
 * the `DPoP` scheme and its `algs`, and for `ERR_DPOP_NONCE_REQUIRED` a fresh `DPoP-Nonce`.
 */
export interface DpopChallenge {
  dpopAlgorithms?: readonly string[];
  dpopNonce?: string;
}

/**
 * What a client must obtain to pass a refused `@RequireAuthLevel` (RFC 9470 §3): a token whose
 * `acr` is one of `acrValues`, and whose `auth_time` is at most `maxAge` seconds old.
 */
export interface AuthLevelChallenge {
  /** Authentication context classes the client may ask for (`acr_values`), in order of preference. */
  acrValues?: readonly string[];
  /** Most seconds since the user last actively authenticated (`max_age`). */
  maxAge?: number;
}

/**
 * The one error type the library throws for a refused token or a failed authorization check.
 *
 * @example
 * ```ts
 * try {
 *   await tokenService.verify(token);
 * } catch (error) {
 *   if (error instanceof AuthError && error.code === 'ERR_TOKEN_EXPIRED') { … }
 * }
 * ```
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  /** `acr` values that would satisfy the refused `@RequireAuthLevel` (RFC 9470 `acr_values`); else empty. */
  readonly acrValues: readonly string[];
  /** Most seconds since `auth_time` the refused `@RequireAuthLevel` allows (RFC 9470 `max_age`). */
  readonly maxAge?: number;
  /** Set when the answer's challenge uses the `DPoP` scheme: the proof algorithms accepted. */
  readonly dpopAlgorithms?: readonly string[];
  /** For `ERR_DPOP_NONCE_REQUIRED`: the nonce the next proof must carry (`DPoP-Nonce`). */
  readonly dpopNonce?: string;

  constructor(
    /** Stable machine-readable reason. */
    readonly code: AuthErrorCode,
    message: string,
    /** Scopes the request lacked (only for `ERR_INSUFFICIENT_SCOPE`). */
    readonly requiredScopes: readonly string[] = [],
    /** What would satisfy a refused `@RequireAuthLevel` (only for `ERR_INSUFFICIENT_USER_AUTHENTICATION`). */
    challenge: AuthLevelChallenge & DpopChallenge = {},
  ) {
    super(message);
    this.acrValues = challenge.acrValues ?? [];
    this.maxAge = challenge.maxAge;
    this.dpopAlgorithms = challenge.dpopAlgorithms;
    this.dpopNonce = challenge.dpopNonce;
  }

  /**
   * What a GraphQL error made of this one carries: graphql-js copies an error's `extensions`
   * into the `GraphQLError` it builds, so Apollo and Mercurius answer
   * `{ code: 'UNAUTHENTICATED' | 'FORBIDDEN', error: this.code }` wherever a resolver (a field
   * resolver without exception filters included) throws it, and the library needs no `graphql`.
   */
  get extensions(): AuthGraphqlExtensions {
    return describeAuthErrorForGraphql(this);
  }
}

/** Builds the error for a token that fails a verification rule. */
export function invalidToken(code: AuthErrorCode, message: string): AuthError {
  return new AuthError(code, message);
}
