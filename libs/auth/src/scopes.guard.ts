import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { SCOPES_KEY } from './auth.constants';
import { AuthError } from './auth.errors';
import { authRequestOf } from './auth-request';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { RouteMetadata } from './route-metadata';
import { decideForSocket, isSocketMessage } from './socket-exception';

/** Enforces `@Scopes(...)`: the token's `scope` claim must hold every listed scope. */
@Injectable()
export class ScopesGuard implements CanActivate {
  private readonly requiredScopes: RouteMetadata<string[]>;

  constructor(@Inject(Reflector) reflector: Reflector) {
    this.requiredScopes = new RouteMetadata(reflector, SCOPES_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    return isSocketMessage(context)
      ? decideForSocket(context, () => this.decide(context))
      : this.decide(context);
  }

  private decide(context: ExecutionContext): boolean {
    const required = this.requiredScopes.of(context);
    if (!required || required.length === 0) return true;
    const principal = authRequestOf(context).user as AuthPrincipal | undefined;
    if (!principal) throw new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    const missing = required.filter((scope) => !principal.scopes.includes(scope));
    if (missing.length > 0) {
      throw new AuthError(
        'ERR_INSUFFICIENT_SCOPE',
        `requires scope ${required.join(' ')}`,
        required,
      );
    }
    return true;
  }
}
