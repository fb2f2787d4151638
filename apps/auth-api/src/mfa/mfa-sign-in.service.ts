import { Inject, Injectable } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AttemptLimiter } from '../auth/attempt-limiter';
import { AuthService, type SignedIn } from '../auth/auth.service';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import type { UserEntity } from '../database/entities';
import type { AuthMethod } from '../sessions/auth-methods';
import type { ClientContext } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { MfaChallenges } from './mfa-challenges';
import { RecoveryCodes } from './recovery-codes.service';
import { TotpFactors } from './totp-factors.service';

/** A code typed at the second step: from the authenticator app, or a recovery code. */
export type CodeProof =
  { method: 'totp'; code: string } | { method: 'recovery_code'; code: string };

/** Checks a second factor for `user`: the `amr` it proves, or null when it is wrong. */
export type SecondFactorCheck = (user: UserEntity) => Promise<AuthMethod[] | null>;

/** The code of a second step: exactly one of `code` and `recovery_code`. */
export function codeProofOf(dto: { code?: string; recovery_code?: string }): CodeProof {
  if (dto.code !== undefined && dto.recovery_code !== undefined)
    throw new ApiError(400, 'validation_failed', 'send either code or recovery_code, not both');
  return dto.code !== undefined
    ? { method: 'totp', code: dto.code }
    : { method: 'recovery_code', code: dto.recovery_code ?? '' };
}

export function invalidMfaToken(): ApiError {
  return new ApiError(
    401,
    'invalid_mfa_token',
    'the sign-in challenge is invalid or expired; sign in again',
  );
}

/**
 * The second step of a sign-in: a live challenge, then one factor, each guess counted by the
 * second factor's own lockout ({@link AttemptLimiter}); only then is a session opened.
 */
@Injectable()
export class MfaSignIn {
  constructor(
    @Inject(MfaChallenges) private readonly challenges: MfaChallenges,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AttemptLimiter) private readonly attempts: AttemptLimiter,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(TotpFactors) private readonly totp: TotpFactors,
    @Inject(RecoveryCodes) private readonly recovery: RecoveryCodes,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
  ) {}

  /** Finishes a sign-in with a TOTP or recovery code. */
  completeWithCode(mfaToken: string, proof: CodeProof, context: ClientContext): Promise<SignedIn> {
    return this.completeWith(mfaToken, context, (user) => this.checkCode(user, proof));
  }

  /** Finishes a sign-in with any second factor `check` verifies (a passkey, say). */
  async completeWith(
    mfaToken: string,
    context: ClientContext,
    check: SecondFactorCheck,
  ): Promise<SignedIn> {
    const challenge = await this.challenges.claim(mfaToken);
    if (!challenge) throw invalidMfaToken();
    const user = await this.users.findById(challenge.userId);
    if (!user) throw invalidMfaToken();
    await this.attempts.claim(user, 'second_factor');
    const methods = await check(user);
    if (!methods) {
      await this.audit.record({ type: 'mfa.failed', subjectId: user.id });
      this.metrics.login('failure');
      await this.attempts.failed(user.id, 'second_factor');
      throw new ApiError(401, 'invalid_mfa_code', 'the second factor is incorrect');
    }
    // Racing second steps of one challenge: one finishes the sign-in.
    if (!(await this.challenges.redeem(challenge))) throw invalidMfaToken();
    await this.attempts.succeeded(user.id, 'second_factor');
    await this.auth.assertMaySignIn(user);
    return this.auth.completeSignIn(user, ['pwd', ...methods, 'mfa'], context);
  }

  private async checkCode(user: UserEntity, proof: CodeProof): Promise<AuthMethod[] | null> {
    if (proof.method === 'totp')
      return (await this.totp.verify(user.id, proof.code)) ? ['otp'] : null;
    if (!(await this.totp.isEnabled(user.id))) return null;
    if (!(await this.recovery.consume(user.id, proof.code))) return null;
    await this.audit.record({
      type: 'mfa.recovery_code_used',
      subjectId: user.id,
      details: { remaining: await this.recovery.remaining(user.id) },
    });
    return ['otp'];
  }
}
