import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

import type { AuthPrincipal } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { FIRST_PARTY_CLIENT_ID } from '../auth/token-response';

/**
 * The account endpoints act on a user's sessions: a service client's token (no `sid`) is valid
 * but has no account to act on, so it gets 403 rather than a misleading success.
 */
@Injectable()
export class UserSessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    // An OpenID Connect client's token (it has a sid too) is for the resource servers, not for
    // managing the user's account at auth-api.
    if (!principal?.sessionId || principal.clientId !== FIRST_PARTY_CLIENT_ID) {
      throw new ApiError(
        403,
        'user_token_required',
        'this endpoint needs a user token from /auth/login',
      );
    }
    return true;
  }
}
