import { Body, Controller, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';

import { Public } from '@jwt-token/auth';

import { EmailVerificationService } from './email-verification.service';
import { PasswordResetService } from './password-reset.service';
import { AccountProofDto, EmailRequestDto, PasswordResetConfirmDto } from './dto/account.dto';

/** One answer for every email, so that it says nothing about which ones have accounts. */
export const MAIL_REQUESTED = {
  message: 'if an account uses this address, a message is on its way',
} as const;

/** The JSON API of verification and reset (for SPAs); `/account/*` has the pages for the links. */
@Public()
@UseGuards(ThrottlerGuard)
@Controller('auth')
export class AccountController {
  constructor(
    @Inject(EmailVerificationService) private readonly verification: EmailVerificationService,
    @Inject(PasswordResetService) private readonly reset: PasswordResetService,
  ) {}

  @Post('verify-email')
  @HttpCode(204)
  async verifyEmail(@Body() dto: AccountProofDto): Promise<void> {
    await this.verification.verify(dto);
  }

  @Post('verify-email/resend')
  @HttpCode(202)
  resendVerification(
    @Body() dto: EmailRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    this.verification.requestByEmail(dto.email, reply.raw);
    return MAIL_REQUESTED;
  }

  @Post('password-reset')
  @HttpCode(202)
  requestReset(@Body() dto: EmailRequestDto, @Res({ passthrough: true }) reply: FastifyReply) {
    this.reset.request(dto.email, reply.raw);
    return MAIL_REQUESTED;
  }

  @Post('password-reset/confirm')
  @HttpCode(204)
  async confirmReset(@Body() dto: PasswordResetConfirmDto): Promise<void> {
    await this.reset.complete(dto, dto.password);
  }
}
