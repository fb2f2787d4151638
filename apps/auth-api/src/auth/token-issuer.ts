import { Inject, Injectable } from '@nestjs/common';

import { TokenService } from '@jwt-token/auth';

import { AuthApiMetrics } from '../common/auth-api.metrics';
import type { UserEntity } from '../database/entities';
import { acrOf, authMethodsOf } from '../sessions/auth-methods';
import type { SessionGrant } from '../sessions/sessions.service';
import { FIRST_PARTY_CLIENT_ID, type TokenResponse } from './token-response';

/** Turns a user and a session grant into the contract's token response. */
@Injectable()
export class TokenIssuer {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
  ) {}

  async forSession(
    user: UserEntity,
    grant: SessionGrant,
    grantType: 'password' | 'refresh_token' | 'authorization_code' | 'passkey' | 'mfa',
  ): Promise<TokenResponse> {
    // A client's session (OpenID Connect) carries its client and granted scopes.
    const { clientId, scope } = grant.session;
    const amr = authMethodsOf(grant.session);
    const { token, expiresIn } = await this.tokens.sign({
      sub: user.id,
      clientId: clientId ?? FIRST_PARTY_CLIENT_ID,
      // A third-party client acts for the user, never with the user's admin powers at auth-api.
      roles: clientId ? [] : user.roles,
      sessionId: grant.session.id,
      ...(scope ? { scope } : {}),
      ...(grant.dpopJkt ? { dpopJkt: grant.dpopJkt } : {}),
      claims: {
        // OpenID Connect's claim name (RFC 9068 §2.2.3.1 lets access tokens carry it).
        email_verified: user.emailVerified,
        // How the user signed in (RFC 9068 §2.2.1), for step-up checks at resource servers.
        auth_time: Math.floor((grant.session.authTime ?? grant.session.createdAt) / 1000),
        amr,
        acr: acrOf(amr),
      },
    });
    this.metrics.tokenIssued(grantType);
    return {
      access_token: token,
      token_type: grant.dpopJkt ? 'DPoP' : 'Bearer',
      expires_in: expiresIn,
      refresh_token: grant.refreshToken,
      ...(scope ? { scope } : {}),
    };
  }
}
