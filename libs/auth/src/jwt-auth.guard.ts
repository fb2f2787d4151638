import { type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';

import { IS_PUBLIC_KEY, JWT_STRATEGY_NAME } from './auth.constants';
import { AuthError } from './auth.errors';
import { extractBearerToken } from './bearer-token.extractor';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { TokenVerifier } from './token-verifier';

/**
 * `AuthGuard('jwt')` that honours `@Public()` and turns every refusal into an {@link AuthError}
 * (mapped to 401 and `WWW-Authenticate` by the library's exception filter).
 * Global by default; with `globalGuards: false` use `@UseGuards(JwtAuthGuard, RolesGuard)`.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY_NAME) {
  /**
   * A token verified moments ago (the verified-token cache) is accepted here, without passport's
   * per-request plumbing (a promise, closures, a strategy copy): that plumbing costs more than the
   * cache lookup it wraps. Any other token, and every refusal, goes through passport-jwt's strategy.
   * Property-injected so that subclasses keep their constructors; absent (a guard built with
   * `new`), every request takes the passport path.
   */
  @Optional() @Inject(TokenVerifier) private readonly verifier?: TokenVerifier;

  constructor(@Inject(Reflector) private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    if (this.fromCache(context)) return true;
    return super.canActivate(context) as Promise<boolean>;
  }

  private fromCache(context: ExecutionContext): AuthPrincipal | undefined {
    if (!this.verifier) return undefined;
    const request = this.getRequest(context) as { headers?: Record<string, string | string[] | undefined>; user?: unknown };
    let token: string | null;
    try {
      token = extractBearerToken(request);
    } catch {
      return undefined; // malformed: passport's path answers with the right error
    }
    const cached = token === null ? undefined : this.verifier.verifiedFromCache(token);
    if (!cached) return undefined;
    // As AuthGuard does: a subclass's handleRequest still decides, and the user lands on request.user.
    const user = this.handleRequest(null, cached, undefined, context);
    request.user = user;
    return user;
  }

  override handleRequest<TUser = AuthPrincipal>(error: unknown, user: unknown, info: unknown, _context?: ExecutionContext): TUser {
    if (error) throw error;
    if (!user) {
      throw info instanceof AuthError ? info : new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    }
    return user as TUser;
  }
}
