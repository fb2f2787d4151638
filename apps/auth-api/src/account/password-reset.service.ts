import { Inject, Injectable } from '@nestjs/common';

import { AttemptLimiter } from '../auth/attempt-limiter';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { PasswordHasher } from '../crypto/password-hasher';
import { AfterResponse, type ClosingResponse } from '../mail/after-response';
import { MailService } from '../mail/mail.service';
import { passwordResetMail } from '../mail/mail.templates';
import { SessionsService } from '../sessions/sessions.service';
import { normalizeEmail } from '../users/email';
import { UsersService } from '../users/users.service';
import { AccountTokensService } from './account-tokens.service';
import { invalidToken, MAILS_PER_HOUR } from './email-verification.service';

/** Reset links and codes live this long (OWASP: short). */
export const RESET_TTL_SECONDS = 30 * 60;

/** A reset proof: the link's token, or the email and the mailed code. */
export interface ResetProof {
  token?: string;
  email?: string;
  code?: string;
}

/**
 * Password reset after OWASP's Forgot Password cheat sheet: the request answers the same, at the
 * same speed, for any email (all work happens after the answer); nothing changes until a live
 * token is presented; the new password goes through the registration policy and hasher; every
 * session ends; nobody is signed in by it.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AccountTokensService) private readonly tokens: AccountTokensService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(MailService) private readonly mail: MailService,
    @Inject(AfterResponse) private readonly later: AfterResponse,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AttemptLimiter) private readonly attempts: AttemptLimiter,
  ) {}

  request(email: string, answer?: ClosingResponse): void {
    this.later.run('password reset mail', () => this.mailReset(email), answer);
  }

  private async mailReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.disabled) {
      await this.audit.record({
        type: 'password_reset.requested',
        subjectId: user?.id ?? null,
        details: { email: normalizeEmail(email).slice(0, 320), sent: false },
      });
      return;
    }
    const hourAgo = this.clock.now() - 60 * 60 * 1000;
    const capped =
      (await this.tokens.issuedSince(user.id, 'password_reset', hourAgo)) >= MAILS_PER_HOUR;
    if (!capped) {
      const { token, code } = await this.tokens.issue(user.id, 'password_reset', RESET_TTL_SECONDS);
      const link = `${this.config.publicUrl}/account/reset-password?token=${token}`;
      await this.mail.send(
        passwordResetMail({ to: user.email, link, code, minutes: RESET_TTL_SECONDS / 60 }),
      );
    }
    await this.audit.record({
      type: 'password_reset.requested',
      subjectId: user.id,
      details: { sent: !capped },
    });
  }

  /** Sets the new password if the proof is live; 400 `invalid_token` otherwise. */
  async complete(proof: ResetProof, newPassword: string): Promise<void> {
    let row = null;
    let userId: string | null = null;
    if (proof.token !== undefined) {
      row = await this.tokens.claimByLink('password_reset', proof.token);
    } else if (proof.email !== undefined && proof.code !== undefined) {
      userId = (await this.users.findByEmail(proof.email))?.id ?? null;
      if (userId) row = await this.tokens.claimByCode('password_reset', userId, proof.code);
    }
    if (!row || !(await this.tokens.redeem(row))) {
      await this.audit.record({
        type: 'password_reset.failed',
        subjectId: row?.userId ?? userId,
        details: { via: proof.token !== undefined ? 'link' : 'code' },
      });
      throw invalidToken();
    }
    await this.users.update(row.userId, { passwordHash: await this.hasher.hash(newPassword) });
    // The owner of the mailbox proved themself: a lockout from guessed passwords ends too.
    await this.attempts.succeeded(row.userId, 'password');
    // The mail reached its owner: the address is proven as well as by a verification link.
    await this.users.markEmailVerified(row.userId);
    await this.tokens.retire(row.userId, 'password_reset');
    const ended = await this.sessions.revokeAllForUser(row.userId, 'password_reset');
    await this.audit.record({
      type: 'password_reset.completed',
      subjectId: row.userId,
      details: { sessionsRevoked: ended },
    });
  }
}
