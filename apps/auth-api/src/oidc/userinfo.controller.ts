import { Controller, Get, Header, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { AuthError, Public, TokenService } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { UsersService } from '../users/users.service';
import { userClaims } from './user-claims';

/** RFC 6750 §3: the error in the `WWW-Authenticate` challenge, status as the RFC says. */
function bearerError(status: 400 | 401 | 403, error: string, description: string): ApiError {
  const challenge =
    error === ''
      ? 'Bearer realm="auth-api"'
      : `Bearer realm="auth-api", error="${error}", error_description="${description}"`;
  return new ApiError(
    status,
    error || 'invalid_token',
    description,
    {},
    {
      'WWW-Authenticate': challenge,
    },
  );
}

/**
 * `GET/POST /oauth/userinfo` (OpenID Connect Core §5.3): the claims of the access token's user
 * that its scopes allow. The token comes in the Authorization header (RFC 6750 §2.1) or, for
 * POST, as the form field `access_token` (§2.2), never both.
 */
@Public()
@Controller('oauth/userinfo')
export class UserInfoController {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  @ApiOperation({ summary: 'OpenID Connect UserInfo (bearer access token with scope openid)' })
  @Get()
  @Header('Cache-Control', 'no-store')
  get(@Headers('authorization') authorization: string | undefined) {
    return this.claims(authorization, undefined);
  }

  @ApiOperation({ summary: 'OpenID Connect UserInfo, token in the header or the form body' })
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  post(
    @Headers('authorization') authorization: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const body = request.body as Record<string, unknown> | undefined;
    const formToken = body && typeof body === 'object' ? body.access_token : undefined;
    return this.claims(authorization, formToken);
  }

  private async claims(authorization: string | undefined, formToken: unknown) {
    const header = authorization
      ? /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim())
      : null;
    if (authorization && !header)
      throw bearerError(400, 'invalid_request', 'malformed Authorization header');
    if (formToken !== undefined && (typeof formToken !== 'string' || header))
      throw bearerError(400, 'invalid_request', 'send the access token once');
    const token = header?.[1] ?? (formToken as string | undefined);
    if (!token) throw bearerError(401, '', 'an access token is required');
    let principal;
    try {
      principal = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof AuthError)
        throw bearerError(401, 'invalid_token', 'the access token is invalid, expired or revoked');
      throw error;
    }
    const scopes = principal.scopes;
    if (!scopes.includes('openid') || principal.sessionId === undefined)
      throw bearerError(403, 'insufficient_scope', 'the token needs the openid scope');
    const user = await this.users.findById(principal.sub);
    if (!user || user.disabled)
      throw bearerError(401, 'invalid_token', 'the access token is invalid, expired or revoked');
    return { sub: user.id, ...userClaims(user, scopes) };
  }
}
