import { Inject, Injectable } from '@nestjs/common';

import type { AuthPrincipal, RevocationChecker } from '@jwt-token/auth';

import { SessionsService } from './sessions.service';

/**
 * auth-api's own bearer endpoints refuse a token whose session ended (logout, password change,
 * reuse detection, disabled or deleted user) at once, not when the token expires.
 */
@Injectable()
export class SessionRevocationChecker implements RevocationChecker {
  constructor(@Inject(SessionsService) private readonly sessions: SessionsService) {}

  async isRevoked(principal: AuthPrincipal): Promise<boolean> {
    if (principal.sessionId === undefined) return false;
    return (await this.sessions.findActive(principal.sessionId)) === null;
  }
}
