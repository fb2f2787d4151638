import { Inject, Injectable } from '@nestjs/common';

import { OAuthError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { TokenIssuer } from '../auth/token-issuer';
import type { TokenResponse } from '../auth/token-response';
import { type FormBody, optionalParam, requiredParam } from '../oauth/oauth-params';
import type { ClientIdentity } from '../oauth/client-authenticator';
import { invalidClient } from '../oauth/client-authenticator';
import { authMethodsOf } from '../sessions/auth-methods';
import { type ClientContext, SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { AuthorizationCodes } from './authorization-codes.service';
import { IdTokens } from './id-tokens';

const INVALID_CODE = 'the authorization code is invalid, expired or already used';

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5, OpenID Connect Core §3.1.3):
 * the code's client, redirect URI and PKCE verifier must match; the tokens belong to a new
 * session of the client (refresh tokens rotate like every other), whose parent is the browser
 * session of the hosted login. A code presented twice revokes what the first use issued.
 */
@Injectable()
export class AuthorizationCodeGrant {
  constructor(
    @Inject(AuthorizationCodes) private readonly codes: AuthorizationCodes,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(TokenIssuer) private readonly issuer: TokenIssuer,
    @Inject(IdTokens) private readonly idTokens: IdTokens,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async redeem(
    identity: ClientIdentity,
    body: FormBody,
    context: ClientContext,
  ): Promise<TokenResponse & { id_token?: string }> {
    if (identity.kind === 'anonymous') throw invalidClient('client_id is required');
    const client = identity.client;
    if (!client || !client.grantTypes.includes('authorization_code'))
      throw new OAuthError('unauthorized_client', 'this client does not use authorization codes');
    const code = requiredParam(body, 'code', 256);
    const redirectUri = optionalParam(body, 'redirect_uri', 2000);
    const verifier = optionalParam(body, 'code_verifier', 256);
    const result = await this.codes.redeem(code, {
      clientId: client.clientId,
      redirectUri,
      verifier,
      proofJkt: context.dpopJkt,
    });
    if (!result.ok) {
      if (result.reason === 'dpop')
        throw new OAuthError(
          'invalid_grant',
          'this authorization code is bound to another DPoP key (dpop_jkt)',
        );
      if (result.reason === 'reused' && result.issuedSessionId) {
        await this.sessions.revoke(result.issuedSessionId, 'code_reuse');
        await this.audit.record({
          type: 'code.reuse_detected',
          subjectId: client.clientId,
          details: { sessionId: result.issuedSessionId },
        });
      }
      throw new OAuthError('invalid_grant', INVALID_CODE);
    }
    const grantRow = result.code;
    const user = await this.users.findById(grantRow.userId);
    if (!user || user.disabled) throw new OAuthError('invalid_grant', INVALID_CODE);
    // The user signed out (or was signed out) between the redirect and the redemption.
    const browserSession = await this.sessions.findActive(grantRow.browserSessionId);
    if (!browserSession) throw new OAuthError('invalid_grant', INVALID_CODE);
    const amr = authMethodsOf(browserSession);
    const grant = await this.sessions.open(user.id, context, amr, {
      sessionId: result.sessionId,
      clientId: client.clientId,
      parentId: grantRow.browserSessionId,
      scope: grantRow.scope,
      authTime: grantRow.authTime,
      publicClient: identity.kind === 'public',
    });
    const tokens = await this.issuer.forSession(user, grant, 'authorization_code');
    const scopes = grantRow.scope.split(' ');
    const response: TokenResponse & { id_token?: string } = client.grantTypes.includes(
      'refresh_token',
    )
      ? tokens
      : { ...tokens, refresh_token: undefined };
    if (scopes.includes('openid')) {
      response.id_token = await this.idTokens.sign({
        client,
        user,
        scopes,
        nonce: grantRow.nonce,
        authTime: grantRow.authTime,
        amr,
        browserSessionId: grantRow.browserSessionId,
        accessToken: tokens.access_token,
      });
    }
    return response;
  }
}
