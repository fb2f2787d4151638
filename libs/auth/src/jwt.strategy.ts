import { Inject, Injectable, Optional } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';

import { AUTH_RESOLVED_OPTIONS, JWT_STRATEGY_NAME } from './auth.constants';
import { AuthError } from './auth.errors';
import { extractBearerToken } from './bearer-token.extractor';
import { refuseAsBearer } from './dpop/dpop-request';
import type { ResolvedAuthOptions } from './resolved-auth-options';
import { TokenVerifier } from './token-verifier';

/**
 * The passport-jwt strategy behind `AuthGuard('jwt')`.
 *
 * passport-jwt hands signature checks to jsonwebtoken, which cannot enforce RFC 9068's `typ`,
 * refuse `crit`/`jku`/`jwk` headers, or skip work for a token verified a moment ago. So the
 * strategy keeps passport-jwt's passport integration and routes the decision through the
 * library's {@link TokenVerifier}, the same code `TokenService.verify` runs: one set of rules.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY_NAME) {
  /** Property-injected so that subclasses keep their constructors. */
  @Optional() @Inject(AUTH_RESOLVED_OPTIONS) private readonly options?: ResolvedAuthOptions;

  constructor(@Inject(TokenVerifier) private readonly verifier: TokenVerifier) {
    super({
      jwtFromRequest: extractBearerToken,
      // Never called: authenticate() below decides. passport-jwt insists on a key source.
      secretOrKeyProvider: (_request: unknown, _token: unknown, done: (e: Error) => void) =>
        done(new Error('JwtStrategy verifies through TokenVerifier')),
    });
  }

  validate(): never {
    throw new Error('JwtStrategy verifies through TokenVerifier');
  }

  override authenticate(request: Parameters<typeof extractBearerToken>[0]): void {
    let token: string | null;
    try {
      token = extractBearerToken(request);
    } catch (error) {
      return this.fail(error as AuthError, 401);
    }
    if (token === null)
      return this.fail(new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required'), 401);
    this.verifier.verify(token).then(
      (principal) => {
        // A bound token is never a bearer token (RFC 9449 §7.2).
        const refusal = this.options ? refuseAsBearer(principal, this.options.dpop) : null;
        return refusal ? this.fail(refusal, 401) : this.success(principal);
      },
      (error: unknown) =>
        error instanceof AuthError ? this.fail(error, 401) : this.error(error as Error),
    );
  }
}
