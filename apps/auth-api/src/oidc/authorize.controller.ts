import { Controller, Get, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Public } from '@jwt-token/auth';

import { AuthorizeHandler } from './authorize.handler';

/**
 * `GET/POST /oauth/authorize` (OpenID Connect Core §3.1.2) and the hosted pages' form posts:
 * `/oauth/authorize/login` (the password, checked like `/auth/login`: same lockout, same
 * throttle budget), `/oauth/authorize/passkey` (a passwordless passkey), `/oauth/authorize/mfa`
 * (the second factor: a code or a passkey) and `/oauth/authorize/consent` (Allow / Deny).
 */
@Public()
@ApiExcludeController()
@Controller('oauth/authorize')
export class AuthorizeController {
  constructor(@Inject(AuthorizeHandler) private readonly handler: AuthorizeHandler) {}

  @Get()
  authorizeGet(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.handler.authorize(request, reply, request.query as Record<string, unknown>);
  }

  @Post()
  authorizePost(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.handler.authorize(request, reply, request.body as Record<string, unknown>);
  }

  @UseGuards(ThrottlerGuard)
  @Post('login')
  login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.handler.login(request, reply);
  }

  /** The second factor's form, counted by its own lockout (and the same throttle budget). */
  @UseGuards(ThrottlerGuard)
  @Post('mfa')
  mfa(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.handler.mfa(request, reply);
  }

  /** The login page's passkey (passwordless), throttled like the password form. */
  @UseGuards(ThrottlerGuard)
  @Post('passkey')
  passkey(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.handler.passkey(request, reply);
  }

  @Post('consent')
  consent(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.handler.consent(request, reply);
  }
}
