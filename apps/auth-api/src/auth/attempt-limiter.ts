import { Inject, Injectable } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { DirectStatements } from '../database/direct-statements';
import type { UserEntity } from '../database/entities';

/** What is being guessed at: the password, or the second factor (TOTP, recovery or passkey). */
export type AttemptKind = 'password' | 'second_factor';

interface Counter {
  failures: string;
  lockedUntil: string;
  errorCode: string;
  message: string;
  max: (config: AuthApiConfig) => number;
  lockSeconds: (config: AuthApiConfig) => number;
  lockedAt: (user: UserEntity) => number | null;
}

/** Each kind has its own pair of columns on `users`: one factor's lockout never locks the other. */
const COUNTERS: Readonly<Record<AttemptKind, Counter>> = {
  password: {
    failures: 'failed_logins',
    lockedUntil: 'locked_until',
    errorCode: 'account_locked',
    message: 'too many failed logins; try again later',
    max: (config) => config.loginMaxFailures,
    lockSeconds: (config) => config.loginLockoutSeconds,
    lockedAt: (user) => user.lockedUntil,
  },
  second_factor: {
    failures: 'mfa_failures',
    lockedUntil: 'mfa_locked_until',
    errorCode: 'second_factor_locked',
    message: 'too many failed second-factor codes; try again later',
    max: (config) => config.mfaMaxFailures,
    lockSeconds: (config) => config.mfaLockoutSeconds,
    lockedAt: (user) => user.mfaLockedUntil,
  },
};

/**
 * The one place that counts guesses at an account's secrets, for the password and for the second
 * factor alike: every sign-in path (`/auth/login`, the console, the hosted login page, the second
 * step) goes through {@link claim} before checking anything.
 *
 * An attempt is claimed before the (slow) check, in one conditional UPDATE, so racing requests
 * cannot check more than the limit; a claim counts as a failure until {@link succeeded} clears
 * the counter. When none is left (checks in flight, or lost in a crash) the account locks, so the
 * lock always ends; a correct answer in flight lifts it.
 */
@Injectable()
export class AttemptLimiter {
  constructor(
    @Inject(DirectStatements) private readonly direct: DirectStatements,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
  ) {}

  /** Claims one attempt, or throws 429 (with `Retry-After`) while the kind is locked. */
  async claim(user: UserEntity, kind: AttemptKind): Promise<void> {
    const counter = COUNTERS[kind];
    const now = this.clock.now();
    const lockedUntil = counter.lockedAt(user);
    if (lockedUntil !== null && lockedUntil > now)
      throw this.locked(kind, Math.ceil((lockedUntil - now) / 1000));
    // A lock that ran out: reset its counter; racing callers reset it once.
    if (lockedUntil !== null)
      await this.direct.execute(
        `UPDATE users SET ${counter.failures} = 0, ${counter.lockedUntil} = NULL WHERE id = ? AND ${counter.lockedUntil} = ?`,
        [user.id, lockedUntil],
      );
    const max = counter.max(this.config);
    const claimed = await this.direct.execute(
      `UPDATE users SET ${counter.failures} = ${counter.failures} + 1 WHERE id = ? AND ${counter.failures} < ?`,
      [user.id, max],
    );
    if (claimed === 0) {
      await this.lockIfExhausted(user.id, kind);
      throw this.locked(kind, counter.lockSeconds(this.config));
    }
  }

  /** Gives back an attempt claimed for a check that never happened (the hasher was too busy). */
  async release(userId: string, kind: AttemptKind): Promise<void> {
    const { failures } = COUNTERS[kind];
    await this.direct.execute(
      `UPDATE users SET ${failures} = ${failures} - 1 WHERE id = ? AND ${failures} > 0`,
      [userId],
    );
  }

  /** After a wrong answer: the claimed attempt stays spent; locks once the attempts are used up. */
  async failed(userId: string, kind: AttemptKind): Promise<void> {
    await this.lockIfExhausted(userId, kind);
  }

  /** After a right answer (or a password reset, for `password`): the counter starts again. */
  async succeeded(userId: string, kind: AttemptKind): Promise<void> {
    const { failures, lockedUntil } = COUNTERS[kind];
    await this.direct.execute(
      `UPDATE users SET ${failures} = 0, ${lockedUntil} = NULL WHERE id = ?`,
      [userId],
    );
  }

  private async lockIfExhausted(userId: string, kind: AttemptKind): Promise<void> {
    const counter = COUNTERS[kind];
    const seconds = counter.lockSeconds(this.config);
    const locked = await this.direct.execute(
      `UPDATE users SET ${counter.lockedUntil} = ? WHERE id = ? AND ${counter.failures} >= ? AND ${counter.lockedUntil} IS NULL`,
      [this.clock.now() + seconds * 1000, userId, counter.max(this.config)],
    );
    if (locked > 0)
      await this.audit.record({
        type: kind === 'password' ? 'account.locked' : 'mfa.locked',
        subjectId: userId,
        details: { seconds },
      });
  }

  private locked(kind: AttemptKind, retryAfterSeconds: number): ApiError {
    const { errorCode, message } = COUNTERS[kind];
    this.metrics.login('locked');
    return new ApiError(429, errorCode, message, {}, { 'Retry-After': String(retryAfterSeconds) });
  }
}
