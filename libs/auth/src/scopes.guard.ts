import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { SCOPES_KEY } from './auth.constants';
import { AuthError } from './auth.errors';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';

/** Enforces `@Scopes(...)`: the token's `scope` claim must hold every listed scope. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required || required.length === 0) return true;
    const principal = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    if (!principal) throw new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    const missing = required.filter((scope) => !principal.scopes.includes(scope));
    if (missing.length > 0) {
      throw new AuthError('ERR_INSUFFICIENT_SCOPE', `requires scope ${required.join(' ')}`, required);
    }
    return true;
  }
}
