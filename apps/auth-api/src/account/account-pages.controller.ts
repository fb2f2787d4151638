import { Body, Controller, Get, Inject, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';

import { Public } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { PASSWORD_MAX, PASSWORD_MIN } from '../auth/dto/credentials.dto';
import { LINK_TOKEN_PATTERN } from './account-tokens.service';
import { ACCOUNT_PAGE_HEADERS, accountPage } from './account-pages.html';
import { EmailVerificationService } from './email-verification.service';
import { PasswordResetService } from './password-reset.service';

type Form = Record<string, unknown> | undefined;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const INVALID_LINK = 'This link is invalid, expired or already used. Ask for a new one.';

/**
 * The pages the mailed links open. GET only shows a form with a button (mail scanners and link
 * previews fetch links: they must not use them up); POST does the work. The form carries the
 * link's token, which is itself the proof, so there is nothing for a forged cross-site POST to gain.
 */
@Public()
@ApiExcludeController()
@UseGuards(ThrottlerGuard)
@Controller('account')
export class AccountPagesController {
  constructor(
    @Inject(EmailVerificationService) private readonly verification: EmailVerificationService,
    @Inject(PasswordResetService) private readonly reset: PasswordResetService,
  ) {}

  @Get('verify-email')
  verifyForm(@Query('token') token: unknown, @Res() reply: FastifyReply) {
    const value = text(token);
    if (!LINK_TOKEN_PATTERN.test(value))
      return this.page(reply, 400, 'Confirm your email', INVALID_LINK);
    return this.page(
      reply,
      200,
      'Confirm your email',
      'Press the button to confirm this address.',
      {
        action: '/account/verify-email',
        token: value,
        button: 'Confirm my email address',
      },
    );
  }

  @Post('verify-email')
  async verify(@Body() body: Form, @Res() reply: FastifyReply) {
    try {
      await this.verification.verify({ token: text(body?.token) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return this.page(reply, 400, 'Confirm your email', INVALID_LINK);
    }
    return this.page(reply, 200, 'Email confirmed', 'Thank you: your email address is confirmed.');
  }

  @Get('reset-password')
  resetForm(@Query('token') token: unknown, @Res() reply: FastifyReply) {
    const value = text(token);
    if (!LINK_TOKEN_PATTERN.test(value))
      return this.page(reply, 400, 'Reset your password', INVALID_LINK);
    return this.passwordForm(reply, 200, value, 'Choose a new password.');
  }

  @Post('reset-password')
  async resetPassword(@Body() body: Form, @Res() reply: FastifyReply) {
    const token = text(body?.token);
    const password = text(body?.password);
    if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
      const problem = `The password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`;
      return this.passwordForm(reply, 400, token, problem);
    }
    try {
      await this.reset.complete({ token }, password);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return this.page(reply, 400, 'Reset your password', INVALID_LINK);
    }
    return this.page(
      reply,
      200,
      'Password changed',
      'Your password is changed and every device was signed out. Sign in with the new password.',
    );
  }

  private passwordForm(reply: FastifyReply, status: number, token: string, message: string) {
    return this.page(reply, status, 'Reset your password', message, {
      action: '/account/reset-password',
      token,
      button: 'Set the new password',
      password: true,
    });
  }

  private page(
    reply: FastifyReply,
    status: number,
    title: string,
    message: string,
    form?: Parameters<typeof accountPage>[2],
  ): FastifyReply {
    return reply
      .code(status)
      .headers(ACCOUNT_PAGE_HEADERS)
      .type('text/html; charset=utf-8')
      .send(accountPage(title, message, form));
  }
}
