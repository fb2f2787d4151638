import { Inject, Injectable } from '@nestjs/common';

import type { AuthPrincipal, RevocationChecker } from '@jwt-token/auth';

import { FIRST_PARTY_CLIENT_ID } from '../auth/token-response';
import { ClientsService } from '../clients/clients.service';
import { RevokedTokensService } from '../oauth/revoked-tokens.service';
import { SessionsService } from './sessions.service';

/**
 * auth-api refuses a token before it expires, at once, when: its session ended (logout,
 * password change, reuse detection, disabled or deleted user), it was revoked through
 * `/oauth/revoke`, or its client (a service client, or the OpenID Connect client of the
 * session) was deleted. Used by auth-api's own bearer endpoints
 * and by introspection.
 */
@Injectable()
export class SessionRevocationChecker implements RevocationChecker {
  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(RevokedTokensService) private readonly revoked: RevokedTokensService,
    @Inject(ClientsService) private readonly clients: ClientsService,
  ) {}

  async isRevoked(principal: AuthPrincipal): Promise<boolean> {
    if (principal.tokenId && (await this.revoked.isRevoked(principal.tokenId))) return true;
    if (principal.sessionId !== undefined) {
      const session = await this.sessions.findActive(principal.sessionId);
      if (!session) return true;
      // An OpenID Connect client's session ends with the client.
      return session.clientId !== null && (await this.clients.findById(session.clientId)) === null;
    }
    if (principal.clientId && principal.clientId !== FIRST_PARTY_CLIENT_ID) {
      return (await this.clients.findById(principal.clientId)) === null;
    }
    return false;
  }
}
