import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { AUTH_LEVEL_KEY, AUTH_RESOLVED_OPTIONS } from './auth.constants';
import { type AuthLevelChallenge, AuthError } from './auth.errors';
import type { AuthLevelRule } from './auth-level-rule';
import { authRequestOf } from './auth-request';
import { type AuthenticationClaims, readAuthenticationClaims } from './authentication-claims';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import type { ResolvedAuthOptions } from './resolved-auth-options';
import { RouteMetadata } from './route-metadata';
import { decideForSocket, isSocketMessage } from './socket-exception';

/**
 * Enforces `@RequireAuthLevel(...)` (RFC 9470) on the verified token's `acr`, `amr` and
 * `auth_time`. A handler's requirement overrides its controller's. Runs after the JWT, roles and
 * scopes guards: a caller who would be forbidden anyway is not sent to authenticate again.
 */
@Injectable()
export class AuthLevelGuard implements CanActivate {
  private readonly requiredLevel: RouteMetadata<AuthLevelRule>;
  /** Each trusted `iss`'s clock tolerance: `auth_time` gets the same leeway as that issuer's `iat`. */
  private readonly tolerances = new Map<string, number>();

  constructor(
    @Inject(Reflector) reflector: Reflector,
    @Inject(AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {
    this.requiredLevel = new RouteMetadata(reflector, AUTH_LEVEL_KEY);
    for (const issuer of options.issuers)
      for (const iss of issuer.issuers.keys())
        this.tolerances.set(iss, issuer.clockToleranceSeconds);
  }

  canActivate(context: ExecutionContext): boolean {
    return isSocketMessage(context)
      ? decideForSocket(context, () => this.decide(context))
      : this.decide(context);
  }

  private decide(context: ExecutionContext): boolean {
    const rule = this.requiredLevel.of(context);
    if (!rule) return true;
    const principal = authRequestOf(context).user as AuthPrincipal | undefined;
    if (!principal) throw new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    const nowSeconds = this.options.clock.now() / 1000;
    const tolerance = this.tolerances.get(principal.issuer) ?? this.options.clockToleranceSeconds;
    const reading = readAuthenticationClaims(principal.claims, nowSeconds, tolerance);
    const unmet =
      reading.malformed !== undefined
        ? `token ${reading.malformed} claim is malformed`
        : this.unmet(rule, reading.claims, nowSeconds);
    if (unmet !== null) {
      throw new AuthError('ERR_INSUFFICIENT_USER_AUTHENTICATION', unmet, [], this.challenge(rule));
    }
    return true;
  }

  /** Why the claims fall short of the rule, or `null` when they meet it. */
  private unmet(
    rule: AuthLevelRule,
    claims: AuthenticationClaims,
    nowSeconds: number,
  ): string | null {
    const { acr, amr, authTime } = claims;
    if (rule.mfa && !amr.includes('mfa') && !this.isMfaAcr(acr))
      return 'requires multi-factor authentication';
    if (rule.acr && (acr === undefined || !rule.acr.includes(acr)))
      return `requires authentication context ${rule.acr.join(' or ')}`;
    const missing = rule.amr.filter((method) => !amr.includes(method));
    if (missing.length > 0) return `requires authentication methods ${rule.amr.join(' and ')}`;
    if (rule.maxAge !== null) {
      if (authTime === undefined) return 'requires auth_time in the token';
      // No leeway here: the age is what the route allows, and tolerance would only stretch it.
      if (nowSeconds - authTime > rule.maxAge)
        return `requires authentication within the last ${rule.maxAge} seconds`;
    }
    return null;
  }

  private isMfaAcr(acr: string | undefined): boolean {
    return acr !== undefined && this.options.mfaAcrValues.includes(acr);
  }

  /** The whole requirement, whichever part failed: the client's next authorization request must meet all of it. */
  private challenge(rule: AuthLevelRule): AuthLevelChallenge {
    const acrValues = rule.mfa ? this.options.mfaAcrValues : (rule.acr ?? []);
    return {
      ...(acrValues.length > 0 ? { acrValues } : {}),
      ...(rule.maxAge === null ? {} : { maxAge: rule.maxAge }),
    };
  }
}
