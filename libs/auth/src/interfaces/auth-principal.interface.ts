/** Claims of an access token in the RFC 9068 profile, as this library issues and reads them. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti?: string;
  client_id?: string;
  /** Space-separated scopes (for the default claim mapping). */
  scope?: string;
  /** Roles (for the default claim mapping). */
  roles?: string[];
  /** Session id: stays the same across refresh-token rotations. */
  sid?: string;
  [claim: string]: unknown;
}

/**
 * Who is calling, as established by a verified access token. Attached to the request by the JWT
 * guard and read with `@CurrentUser()`. Frozen: it may be shared between requests through the
 * verified-token cache.
 */
export interface AuthPrincipal {
  /** User id, or client id for service clients. */
  readonly sub: string;
  /** Roles as the token states them (not expanded by the hierarchy), from the issuer's claim mapping. */
  readonly roles: readonly string[];
  /** Scopes from the `scope` claim (or where the issuer's claim mapping says). */
  readonly scopes: readonly string[];
  readonly clientId?: string;
  readonly sessionId?: string;
  readonly tokenId?: string;
  /** `exp` in seconds since the epoch. */
  readonly expiresAt: number;
  /** The full, verified claim set. */
  readonly claims: Readonly<AccessTokenClaims>;
  /** The `iss` of the token, which chose the trusted issuer that verified it. */
  readonly issuer: string;
  /** The tenant of a multi-tenant issuer (Entra's `tid`); absent otherwise. */
  readonly tenant?: string;
}
