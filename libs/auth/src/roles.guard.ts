import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { ROLES_KEY } from './auth.constants';
import { AuthError } from './auth.errors';
import { authRequestOf } from './auth-request';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { RoleHierarchy } from './role-hierarchy';
import { RouteMetadata } from './route-metadata';
import { decideForSocket, isSocketMessage } from './socket-exception';

/**
 * Enforces `@Roles(...)`: the principal needs any one of the listed roles, directly or through
 * the hierarchy. A handler's `@Roles` overrides its controller's. Runs after the JWT guard.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly requiredRoles: RouteMetadata<string[]>;

  constructor(
    @Inject(Reflector) reflector: Reflector,
    @Inject(RoleHierarchy) private readonly hierarchy: RoleHierarchy,
  ) {
    this.requiredRoles = new RouteMetadata(reflector, ROLES_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    return isSocketMessage(context)
      ? decideForSocket(context, () => this.decide(context))
      : this.decide(context);
  }

  private decide(context: ExecutionContext): boolean {
    const required = this.requiredRoles.of(context);
    if (!required || required.length === 0) return true;
    const principal = authRequestOf(context).user as AuthPrincipal | undefined;
    if (!principal) throw new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    if (!this.hierarchy.satisfiesAny(principal.roles, required)) {
      throw new AuthError('ERR_INSUFFICIENT_ROLE', `requires role ${required.join(' or ')}`);
    }
    return true;
  }
}
