import { Inject, Injectable } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import type { UserEntity } from '../database/entities';
import { AfterResponse, type ClosingResponse } from '../mail/after-response';
import { MailService } from '../mail/mail.service';
import { verificationMail } from '../mail/mail.templates';
import { UsersService } from '../users/users.service';
import { AccountTokensService } from './account-tokens.service';

/** Verification links and codes live this long. */
export const VERIFICATION_TTL_SECONDS = 24 * 60 * 60;
/** At most this many verification mails per account per hour, whoever asks. */
export const MAILS_PER_HOUR = 5;

export function invalidToken(): ApiError {
  return new ApiError(400, 'invalid_token', 'the link or code is invalid, expired or used up');
}

/** Email verification: the mail at registration or on request, and redeeming its link or code. */
@Injectable()
export class EmailVerificationService {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AccountTokensService) private readonly tokens: AccountTokensService,
    @Inject(MailService) private readonly mail: MailService,
    @Inject(AfterResponse) private readonly later: AfterResponse,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Answers at once; finds the account and mails it afterwards (nothing to learn from the answer). */
  requestByEmail(email: string, answer?: ClosingResponse): void {
    this.later.run(
      'verification mail',
      async () => {
        const user = await this.users.findByEmail(email);
        if (user && !user.emailVerified && !user.disabled) await this.send(user);
      },
      answer,
    );
  }

  /** Mails a just-registered `user` after the answer (a slow mail server must not slow sign-up). */
  sendLater(user: UserEntity): void {
    this.later.run('verification mail', async () => {
      await this.send(user);
    });
  }

  /** Mails `user` a new link and code, unless the hourly cap is reached. */
  async send(user: UserEntity, actorId?: string): Promise<boolean> {
    const hourAgo = this.clock.now() - 60 * 60 * 1000;
    if ((await this.tokens.issuedSince(user.id, 'verify_email', hourAgo)) >= MAILS_PER_HOUR)
      return false;
    const { token, code } = await this.tokens.issue(
      user.id,
      'verify_email',
      VERIFICATION_TTL_SECONDS,
    );
    const link = `${this.config.publicUrl}/account/verify-email?token=${token}`;
    await this.mail.send(
      verificationMail({ to: user.email, link, code, minutes: VERIFICATION_TTL_SECONDS / 60 }),
    );
    await this.audit.record({
      type: 'email_verification.sent',
      subjectId: user.id,
      ...(actorId ? { actorId } : {}),
    });
    return true;
  }

  /** Redeems a link token, or an email and code; 400 `invalid_token` for anything else. */
  async verify(proof: { token?: string; email?: string; code?: string }): Promise<void> {
    let row;
    if (proof.token !== undefined) {
      row = await this.tokens.claimByLink('verify_email', proof.token);
    } else if (proof.email !== undefined && proof.code !== undefined) {
      const user = await this.users.findByEmail(proof.email);
      row = user ? await this.tokens.claimByCode('verify_email', user.id, proof.code) : null;
    }
    if (!row || !(await this.tokens.redeem(row))) throw invalidToken();
    await this.users.markEmailVerified(row.userId);
    await this.audit.record({ type: 'email.verified', subjectId: row.userId });
  }

  /** An admin vouches for the address (audited); live links stop working. */
  async markVerified(userId: string): Promise<void> {
    await this.users.markEmailVerified(userId);
    await this.tokens.retire(userId, 'verify_email');
    await this.audit.record({
      type: 'email.verified',
      subjectId: userId,
      details: { by: 'admin' },
    });
  }
}
