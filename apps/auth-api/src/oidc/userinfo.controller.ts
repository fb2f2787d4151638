import { Controller, Get, Header, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { AuthError, DPOP_ALGORITHMS, DpopError, Public, TokenService } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { IssuerDpop, type ProofRequest } from '../dpop/issuer-dpop';
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

/** RFC 9449 §7.1: refusals of a DPoP-bound request are challenged with the DPoP scheme. */
function dpopChallengeError(
  status: 400 | 401,
  error: string,
  description: string,
  nonce?: string,
): ApiError {
  const challenge = `DPoP realm="auth-api", algs="${DPOP_ALGORITHMS.join(' ')}", error="${error}", error_description="${description}"`;
  return new ApiError(
    status,
    error,
    description,
    {},
    { 'WWW-Authenticate': challenge, ...(nonce ? { 'DPoP-Nonce': nonce } : {}) },
  );
}

/**
 * `GET/POST /oauth/userinfo` (OpenID Connect Core §5.3): the claims of the access token's user
 * that its scopes allow. The token comes in the Authorization header (RFC 6750 §2.1) or, for
 * POST, as the form field `access_token` (§2.2), never both. A DPoP-bound token (`cnf.jkt`) is
 * accepted only as `Authorization: DPoP` with a proof by its key (RFC 9449 §7), never as Bearer.
 */
@Public()
@Controller('oauth/userinfo')
export class UserInfoController {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(IssuerDpop) private readonly dpop: IssuerDpop,
  ) {}

  @ApiOperation({ summary: 'OpenID Connect UserInfo (bearer access token with scope openid)' })
  @Get()
  @Header('Cache-Control', 'no-store')
  get(@Req() request: FastifyRequest) {
    return this.claims(request, undefined);
  }

  @ApiOperation({ summary: 'OpenID Connect UserInfo, token in the header or the form body' })
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  post(@Req() request: FastifyRequest) {
    const body = request.body as Record<string, unknown> | undefined;
    const formToken = body && typeof body === 'object' ? body.access_token : undefined;
    return this.claims(request, formToken);
  }

  private async claims(request: FastifyRequest, formToken: unknown) {
    const authorization = request.headers.authorization;
    const header = authorization
      ? /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim())
      : null;
    if (authorization && !header)
      throw bearerError(400, 'invalid_request', 'malformed Authorization header');
    if (formToken !== undefined && (typeof formToken !== 'string' || header))
      throw bearerError(400, 'invalid_request', 'send the access token once');
    const token = header?.[2] ?? (formToken as string | undefined);
    if (!token) throw bearerError(401, '', 'an access token is required');
    const dpopScheme = header?.[1].toLowerCase() === 'dpop';
    let principal;
    try {
      principal = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof AuthError) {
        const message = 'the access token is invalid, expired or revoked';
        throw dpopScheme
          ? dpopChallengeError(401, 'invalid_token', message)
          : bearerError(401, 'invalid_token', message);
      }
      throw error;
    }
    await this.assertSenderConstrained(request, token, principal.claims.cnf, dpopScheme);
    const scopes = principal.scopes;
    if (!scopes.includes('openid') || principal.sessionId === undefined)
      throw bearerError(403, 'insufficient_scope', 'the token needs the openid scope');
    const user = await this.users.findById(principal.sub);
    if (!user || user.disabled)
      throw bearerError(401, 'invalid_token', 'the access token is invalid, expired or revoked');
    return { sub: user.id, ...userClaims(user, scopes) };
  }

  /** A bound token needs the DPoP scheme and a proof by its key; a DPoP-scheme token must be bound. */
  private async assertSenderConstrained(
    request: FastifyRequest,
    token: string,
    cnf: unknown,
    dpopScheme: boolean,
  ): Promise<void> {
    const jkt =
      typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
    if (!dpopScheme) {
      if (cnf === undefined) return;
      throw dpopChallengeError(
        401,
        'invalid_token',
        'this token is bound to a DPoP key: send it as Authorization: DPoP with a DPoP proof',
      );
    }
    if (typeof jkt !== 'string')
      throw dpopChallengeError(401, 'invalid_token', 'this token is not bound to a DPoP key');
    try {
      await this.dpop.assertBound(request as unknown as ProofRequest, token, jkt);
    } catch (error) {
      if (!(error instanceof DpopError)) throw error;
      throw dpopChallengeError(
        401,
        error.code,
        error.message,
        error.code === 'use_dpop_nonce' ? await this.dpop.nonce() : undefined,
      );
    }
  }
}
