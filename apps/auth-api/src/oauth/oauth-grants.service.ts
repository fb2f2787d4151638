import { Inject, Injectable } from '@nestjs/common';

import { TokenService } from '@jwt-token/auth';
import { ApiError, OAuthError } from '@jwt-token/service-kit';

import { AuthService, DPOP_KEY_REQUIRED } from '../auth/auth.service';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import { FIRST_PARTY_CLIENT_ID, type TokenResponse } from '../auth/token-response';
import { parseScope } from '../clients/scope';
import type { ClientContext } from '../sessions/sessions.service';
import { IssuerDpop } from '../dpop/issuer-dpop';
import { AuthorizationCodeGrant } from '../oidc/authorization-code.grant';
import { type ClientIdentity, invalidClient } from './client-authenticator';
import { type FormBody, optionalParam, requiredParam } from './oauth-params';

/** The grants of `POST /oauth/token` (RFC 6749 §4.4 and §6). */
@Injectable()
export class OAuthGrantsService {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
    @Inject(AuthorizationCodeGrant) private readonly codeGrant: AuthorizationCodeGrant,
    @Inject(IssuerDpop) private readonly dpop: IssuerDpop,
  ) {}

  async grant(
    identity: ClientIdentity,
    body: FormBody,
    context: ClientContext,
  ): Promise<TokenResponse> {
    const grantType = requiredParam(body, 'grant_type', 200);
    const registered = identity.kind === 'anonymous' ? undefined : identity.client;
    if (registered?.dpopBoundAccessTokens && !context.dpopJkt)
      throw this.dpop.proofRequired('oauth');
    switch (grantType) {
      case 'client_credentials':
        return this.clientCredentials(identity, body, context);
      case 'refresh_token':
        return this.refreshToken(identity, body, context);
      case 'authorization_code':
        return this.codeGrant.redeem(identity, body, context);
      default:
        throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
    }
  }

  /** A service token: `sub` and `client_id` are the client, scopes within the client's allowed ones, no refresh token. */
  private async clientCredentials(
    identity: ClientIdentity,
    body: FormBody,
    context: ClientContext,
  ): Promise<TokenResponse> {
    if (identity.kind === 'public') {
      throw new OAuthError('unauthorized_client', 'a public client cannot use client_credentials');
    }
    if (identity.kind !== 'confidential') {
      throw invalidClient('client authentication is required');
    }
    const { client } = identity;
    if (!client.grantTypes.includes('client_credentials'))
      throw new OAuthError('unauthorized_client', 'this client does not use client_credentials');
    const requested = optionalParam(body, 'scope', 2000);
    let scopes = client.scopes;
    if (requested !== undefined) {
      const parsed = parseScope(requested);
      if (!parsed) throw new OAuthError('invalid_scope', 'scope is malformed');
      const unknown = parsed.filter((scope) => !client.scopes.includes(scope));
      if (unknown.length > 0)
        throw new OAuthError(
          'invalid_scope',
          `scope not allowed for this client: ${unknown.join(' ')}`,
        );
      scopes = parsed;
    }
    const { token, expiresIn } = await this.tokens.sign({
      sub: client.clientId,
      clientId: client.clientId,
      scope: scopes,
      roles: [],
      ...(context.dpopJkt ? { dpopJkt: context.dpopJkt } : {}),
    });
    this.metrics.tokenIssued('client_credentials');
    return {
      access_token: token,
      token_type: context.dpopJkt ? 'DPoP' : 'Bearer',
      expires_in: expiresIn,
      scope: scopes.join(' '),
    };
  }

  /** The same rotation and reuse rules as `/auth/refresh`, with RFC 6749 errors. */
  private async refreshToken(
    identity: ClientIdentity,
    body: FormBody,
    context: ClientContext,
  ): Promise<TokenResponse> {
    const refreshToken = requiredParam(body, 'refresh_token', 512);
    // A refresh token belongs to one client (auth-api's own, without a client id, or a relying
    // party): another client's is invalid_grant, before it rotates.
    const clientId =
      identity.kind === 'confidential'
        ? identity.client.clientId
        : identity.kind === 'public'
          ? identity.clientId
          : FIRST_PARTY_CLIENT_ID;
    const scope = optionalParam(body, 'scope', 2000);
    if (scope !== undefined && parseScope(scope)?.length !== 0) {
      throw new OAuthError('invalid_scope', 'a refresh cannot add scopes the session never had');
    }
    try {
      return await this.auth.refresh(refreshToken, context, clientId);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_grant') {
        const body = error.getResponse() as { message?: string };
        throw new OAuthError(
          'invalid_grant',
          body.message === DPOP_KEY_REQUIRED
            ? DPOP_KEY_REQUIRED
            : 'the refresh token is invalid, expired or revoked',
        );
      }
      throw error;
    }
  }
}
