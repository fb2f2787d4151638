import { Inject, Injectable } from '@nestjs/common';

import { AuthError, TokenService } from '@jwt-token/auth';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { FIRST_PARTY_CLIENT_ID } from '../auth/token-response';
import { SessionsService } from '../sessions/sessions.service';
import type { ClientIdentity } from './client-authenticator';
import { RevokedTokensService } from './revoked-tokens.service';

const INACTIVE = { active: false } as const;

/** RFC 7662 introspection and RFC 7009 revocation of access and refresh tokens. */
@Injectable()
export class TokenIntrospectionService {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(RevokedTokensService) private readonly revoked: RevokedTokensService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  /** `active: true` with the claims, or just `active: false` for anything expired, revoked, forged or unknown. */
  async introspect(token: string, hint: string | undefined): Promise<Record<string, unknown>> {
    const order =
      hint === 'refresh_token' ? [this.asRefresh, this.asAccess] : [this.asAccess, this.asRefresh];
    for (const attempt of order) {
      const result = await attempt.call(this, token);
      if (result) return result;
    }
    return INACTIVE;
  }

  /** Revokes a token the calling client holds; unknown, foreign or dead tokens are ignored (200 either way). */
  async revoke(
    identity: Exclude<ClientIdentity, { kind: 'anonymous' }>,
    token: string,
  ): Promise<void> {
    const clientId =
      identity.kind === 'confidential' ? identity.client.clientId : identity.clientId;
    const session = await this.sessions.sessionOf(token);
    if (session) {
      // Only the client the refresh token was issued to may revoke it.
      if ((session.clientId ?? FIRST_PARTY_CLIENT_ID) === clientId)
        await this.sessions.revoke(session.id, 'oauth_revoke');
      return;
    }
    try {
      const principal = await this.tokens.verify(token);
      if (principal.clientId === clientId && principal.tokenId) {
        await this.revoked.revoke(principal.tokenId, principal.expiresAt * 1000);
      }
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
    }
  }

  private async asAccess(token: string): Promise<Record<string, unknown> | null> {
    try {
      const { claims } = await this.tokens.verify(token);
      // RFC 9449 §6.2: a bound token says so, and to which key.
      const cnf = claims.cnf as { jkt?: unknown } | undefined;
      const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
      return {
        active: true,
        token_type: jkt ? 'DPoP' : 'Bearer',
        sub: claims.sub,
        client_id: claims.client_id,
        scope: claims.scope ?? '',
        roles: claims.roles ?? [],
        exp: claims.exp,
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        jti: claims.jti,
        ...(claims.sid ? { sid: claims.sid } : {}),
        ...(jkt ? { cnf: { jkt } } : {}),
      };
    } catch (error) {
      if (error instanceof AuthError) return null;
      throw error;
    }
  }

  private async asRefresh(token: string): Promise<Record<string, unknown> | null> {
    const session = await this.sessions.inspect(token);
    if (!session) return null;
    return {
      active: true,
      token_type: 'refresh_token',
      sub: session.userId,
      client_id: session.clientId ?? FIRST_PARTY_CLIENT_ID,
      scope: session.scope ?? '',
      exp: Math.floor(session.expiresAt / 1000),
      iat: Math.floor(session.createdAt / 1000),
      iss: this.config.issuer,
      sid: session.id,
      ...(session.dpopJkt ? { cnf: { jkt: session.dpopJkt } } : {}),
    };
  }
}
