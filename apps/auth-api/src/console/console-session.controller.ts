import {
  Body,
  Controller,
  Header,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Public } from '@jwt-token/auth';

import { AuditService } from '../audit/audit.service';
import { AuthService, invalidGrant } from '../auth/auth.service';
import { LoginDto } from '../auth/dto/credentials.dto';
import { TokenIssuer } from '../auth/token-issuer';
import type { TokenResponse } from '../auth/token-response';
import { Client } from '../common/client-context';
import { AcceptsDpop } from '../dpop/dpop-proof.guard';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import type { RefreshTokenCodec } from '../crypto/refresh-token.codec';
import { MfaLoginDto } from '../mfa/dto/mfa.dto';
import { codeProofOf, MfaSignIn } from '../mfa/mfa-sign-in.service';
import { PasskeyCredentialDto, PasskeyMfaDto } from '../passkeys/dto/passkeys.dto';
import { PasskeySignIn } from '../passkeys/passkey-sign-in.service';
import { REFRESH_TOKEN_CODEC } from '../sessions/refresh-token-codec.provider';
import { type ClientContext, SessionsService } from '../sessions/sessions.service';
import {
  CSRF_COOKIE,
  CSRF_COOKIE_PATH,
  readCookie,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  serializeCookie,
} from './console-cookies';
import { ConsoleCsrf, ConsoleCsrfGuard } from './console-csrf';

/** What the console's scripts get: the token response without the refresh token, which went into the cookie. */
type ConsoleTokenResponse = Omit<TokenResponse, 'refresh_token'>;

/**
 * The console's session, held in an `HttpOnly; Secure; SameSite=Strict` cookie scoped to
 * `/console/session`: sign in, refresh (the same rotation and reuse rules as `POST /auth/refresh`,
 * which it calls) and sign out. Each answers only the access token; each is CSRF-checked
 * ({@link ConsoleCsrf}).
 */
@Public()
@ApiExcludeController()
@UseGuards(ConsoleCsrfGuard)
@Controller('console/session')
export class ConsoleSessionController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(REFRESH_TOKEN_CODEC) private readonly codec: RefreshTokenCodec,
    @Inject(ConsoleCsrf) private readonly csrf: ConsoleCsrf,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(MfaSignIn) private readonly mfa: MfaSignIn,
    @Inject(TokenIssuer) private readonly issuer: TokenIssuer,
    @Inject(PasskeySignIn) private readonly passkeys: PasskeySignIn,
  ) {}

  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async login(
    @Body() dto: LoginDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleTokenResponse> {
    return this.signedIn(reply, await this.auth.login(dto.email, dto.password, client));
  }

  /** The second step of a console sign-in (after a 403 `mfa_required`). */
  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post('mfa')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async loginMfa(
    @Body() dto: MfaLoginDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleTokenResponse> {
    const { user, grant } = await this.mfa.completeWithCode(
      dto.mfa_token,
      codeProofOf(dto),
      client,
    );
    return this.signedIn(reply, await this.issuer.forSession(user, grant, 'mfa'));
  }

  /** A passwordless sign-in with a passkey (options from `POST /auth/passkey/options`). */
  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post('passkey')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async loginPasskey(
    @Body() dto: PasskeyCredentialDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleTokenResponse> {
    const { user, grant } = await this.passkeys.signIn(dto.credential, client);
    return this.signedIn(reply, await this.issuer.forSession(user, grant, 'passkey'));
  }

  /** The second step with a passkey (options from `POST /auth/login/mfa/passkey/options`). */
  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post('mfa/passkey')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async loginMfaPasskey(
    @Body() dto: PasskeyMfaDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleTokenResponse> {
    const { user, grant } = await this.passkeys.completeSecondFactor(
      dto.mfa_token,
      dto.credential,
      client,
    );
    return this.signedIn(reply, await this.issuer.forSession(user, grant, 'mfa'));
  }

  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async refresh(
    @Req() request: FastifyRequest,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleTokenResponse> {
    const token = readCookie(request.headers.cookie, REFRESH_COOKIE);
    const sessionId = token ? this.codec.decode(token)?.sessionId : undefined;
    if (!token || !sessionId) {
      this.signedOut(reply);
      throw invalidGrant();
    }
    await this.csrf.assertBoundTo(request, sessionId);
    try {
      return await this.signedIn(reply, await this.auth.refresh(token, client));
    } catch (error) {
      this.signedOut(reply);
      throw error;
    }
  }

  /** Ends the cookie's session (when genuine) and clears the cookie; 204 either way. */
  @Post('logout')
  @HttpCode(204)
  async logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const token = readCookie(request.headers.cookie, REFRESH_COOKIE);
    const session = token ? await this.sessions.sessionOf(token) : null;
    if (session) {
      await this.csrf.assertBoundTo(request, session.id);
      if (await this.sessions.revoke(session.id, 'logout', session.userId)) {
        await this.audit.record({
          type: 'session.logout',
          actorId: session.userId,
          subjectId: session.userId,
          details: { sessionId: session.id },
        });
      }
    }
    this.signedOut(reply);
  }

  private async signedIn(
    reply: FastifyReply,
    tokens: TokenResponse,
  ): Promise<ConsoleTokenResponse> {
    const { refresh_token: refreshToken, ...rest } = tokens;
    const sessionId = refreshToken ? this.codec.decode(refreshToken)?.sessionId : undefined;
    if (!refreshToken || !sessionId) throw new Error('the session grant carries no refresh token');
    const maxAge = this.config.refreshTokenTtl;
    reply.header('Set-Cookie', [
      serializeCookie(REFRESH_COOKIE, refreshToken, {
        path: REFRESH_COOKIE_PATH,
        httpOnly: true,
        maxAge,
      }),
      serializeCookie(CSRF_COOKIE, await this.csrf.tokenFor(sessionId), {
        path: CSRF_COOKIE_PATH,
        httpOnly: false,
        maxAge,
      }),
    ]);
    return rest;
  }

  /** Clears the refresh cookie and gives the sign-in form a fresh CSRF token. */
  private signedOut(reply: FastifyReply): void {
    reply.header('Set-Cookie', [
      serializeCookie(REFRESH_COOKIE, '', { path: REFRESH_COOKIE_PATH, httpOnly: true, maxAge: 0 }),
      serializeCookie(CSRF_COOKIE, this.csrf.preSessionToken(), {
        path: CSRF_COOKIE_PATH,
        httpOnly: false,
      }),
    ]);
  }
}
