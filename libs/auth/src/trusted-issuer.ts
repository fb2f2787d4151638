import { AuthError, type AuthErrorCode } from './auth.errors';
import { ClaimMapper, type IssuerOrigin } from './claim-mapper';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import type { KeySource } from './interfaces/key-source.interface';
import type { ResolvedIssuer } from './resolved-issuer';

/** What a token's header `typ` is, for the per-issuer token-type policy. */
export type TokenTypeClass = 'at+jwt' | 'JWT' | 'none';

function reject(code: AuthErrorCode, message: string): never {
  throw new AuthError(code, message);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * One trusted issuer at run time: its keys, and the claim rules its tokens must pass. The
 * verifier picks it (by exact `iss`) and checks the JWS; this checks everything in the payload.
 */
export class TrustedIssuer {
  private readonly mapper: ClaimMapper;
  /** One frozen origin per exact `iss`: the `issuer` and `tenant` its principals carry. */
  private readonly origins = new Map<string, IssuerOrigin>();

  constructor(
    readonly config: ResolvedIssuer,
    readonly keySource: KeySource,
  ) {
    this.mapper = new ClaimMapper(config);
    for (const [issuer, tenant] of config.issuers) {
      this.origins.set(
        issuer,
        Object.freeze(tenant === undefined ? { issuer } : { issuer, tenant }),
      );
    }
  }

  /** Whether this issuer's policy accepts a header `typ` of this class. */
  acceptsType(type: TokenTypeClass): boolean {
    return this.config.headerTypes.has(type);
  }

  /** The message of a refused `typ`: the RFC 9068 one for issuers that accept nothing else. */
  typeRefusal(): string {
    return this.config.headerTypes.size === 1 && this.config.headerTypes.has('at+jwt')
      ? 'token is not an access token (typ must be at+jwt)'
      : 'token type is not accepted by its issuer';
  }

  /** Every payload rule; returns the principal. `type` is the class of the header's `typ`. */
  check(payload: Record<string, unknown>, type: TokenTypeClass, nowSeconds: number): AuthPrincipal {
    const config = this.config;
    const { exp, iat, nbf, sub, iss, aud } = payload;
    if (typeof exp !== 'number' || !Number.isFinite(exp))
      reject('ERR_CLAIM_INVALID', 'token exp is missing');
    if (typeof iat !== 'number' || !Number.isFinite(iat))
      reject('ERR_CLAIM_INVALID', 'token iat is missing');
    if (typeof sub !== 'string' || sub.length === 0)
      reject('ERR_CLAIM_INVALID', 'token sub is missing');
    if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) {
      reject('ERR_CLAIM_INVALID', 'token nbf is invalid');
    }
    const origin = typeof iss === 'string' ? this.origins.get(iss) : undefined;
    if (!origin) reject('ERR_ISSUER_INVALID', 'token issuer is not trusted');
    const tenant = config.issuers.get(iss as string);
    // The issuer string matched one allowed tenant exactly; the token must say the same tenant.
    if (tenant !== undefined && payload[config.tenantClaim] !== tenant)
      reject('ERR_ISSUER_INVALID', 'token tenant does not match its issuer');
    // `client_id` names one client (RFC 9068 §2.2): as an audience it is a string, never a list.
    const audience = config.audienceClaim === 'aud' ? aud : payload.client_id;
    if (config.audienceClaim === 'client_id' && typeof audience !== 'string')
      reject('ERR_AUDIENCE_INVALID', 'token audience is not accepted');
    this.checkAudience(audience);
    if (config.authorizedParties) {
      const party = payload[config.authorizedPartyClaim];
      if (typeof party !== 'string' || !config.authorizedParties.has(party))
        reject('ERR_AUDIENCE_INVALID', 'token authorized party is not accepted');
    }

    const tolerance = config.clockToleranceSeconds;
    if (exp <= nowSeconds - tolerance) reject('ERR_TOKEN_EXPIRED', 'token has expired');
    if (typeof nbf === 'number' && nbf > nowSeconds + tolerance)
      reject('ERR_TOKEN_NOT_YET_VALID', 'token is not valid yet');
    if (iat > nowSeconds + tolerance)
      reject('ERR_TOKEN_NOT_YET_VALID', 'token was issued in the future');

    if (config.accessTokenClaims.length > 0 || type !== 'at+jwt')
      this.checkTokenType(payload, type);
    if (config.requireAuthTime) {
      const authTime = payload.auth_time;
      if (typeof authTime !== 'number' || !Number.isFinite(authTime))
        reject('ERR_CLAIM_INVALID', 'token auth_time is missing');
      if (authTime > nowSeconds + tolerance)
        reject('ERR_TOKEN_NOT_YET_VALID', 'token auth_time is in the future');
    }
    for (const [name, accepted] of config.requiredClaims) {
      if (!Object.hasOwn(payload, name) || (accepted !== null && !accepted.has(payload[name])))
        reject('ERR_CLAIM_INVALID', `token ${name} is missing or not accepted`);
    }
    return this.mapper.map(payload, origin);
  }

  private checkAudience(value: unknown): void {
    const audiences = typeof value === 'string' ? [value] : value;
    if (!isStringArray(audiences) || !audiences.some((a) => this.config.audiences.includes(a))) {
      reject('ERR_AUDIENCE_INVALID', 'token audience is not accepted');
    }
  }

  /**
   * An access token, not an ID token: it carries one of the issuer's access-token markers
   * (Cognito's `token_use: access`, Keycloak's `typ: Bearer`), and, unless its `typ` already says
   * `at+jwt` or the issuer's bearers are ID tokens, none of the claims only ID tokens carry
   * (`nonce`, `at_hash`: OIDC Core §2, §3.1.3.6).
   */
  private checkTokenType(payload: Record<string, unknown>, type: TokenTypeClass): void {
    const markers = this.config.accessTokenClaims;
    if (
      markers.length > 0 &&
      !markers.some(
        (m) =>
          Object.hasOwn(payload, m.claim) &&
          (m.values === undefined ||
            m.values.includes(payload[m.claim] as string | number | boolean)),
      )
    ) {
      reject('ERR_TYP_INVALID', 'token is not an access token of its issuer');
    }
    if (
      type !== 'at+jwt' &&
      !this.config.idTokensAsBearers &&
      (Object.hasOwn(payload, 'nonce') || Object.hasOwn(payload, 'at_hash'))
    ) {
      reject('ERR_TYP_INVALID', 'token is an ID token, not an access token');
    }
  }
}
