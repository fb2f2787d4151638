import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';

import { IS_PUBLIC_KEY, JWT_STRATEGY_NAME } from './auth.constants';
import { AuthError } from './auth.errors';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';

/**
 * `AuthGuard('jwt')` that honours `@Public()` and turns every refusal into an {@link AuthError}
 * (mapped to 401 and `WWW-Authenticate` by the library's exception filter).
 * Global by default; with `globalGuards: false` use `@UseGuards(JwtAuthGuard, RolesGuard)`.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY_NAME) {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context) as Promise<boolean>;
  }

  override handleRequest<TUser = AuthPrincipal>(error: unknown, user: unknown, info: unknown): TUser {
    if (error) throw error;
    if (!user) {
      throw info instanceof AuthError ? info : new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    }
    return user as TUser;
  }
}
