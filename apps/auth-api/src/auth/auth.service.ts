import { Inject, Injectable } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { CLOCK, type Clock } from '../common/clock';
import { PasswordHasher } from '../crypto/password-hasher';
import {
  type ClientContext,
  RefreshRefusedError,
  SessionsService,
} from '../sessions/sessions.service';
import { normalizeEmail } from '../users/email';
import { UsersService } from '../users/users.service';
import type { UserEntity } from '../database/entities';
import type { SessionGrant } from '../sessions/sessions.service';
import { TokenIssuer } from './token-issuer';
import { FIRST_PARTY_CLIENT_ID, type TokenResponse } from './token-response';

const INVALID_CREDENTIALS = 'email or password is incorrect';

export function invalidGrant(): ApiError {
  return new ApiError(401, 'invalid_grant', 'the refresh token is invalid, expired or revoked');
}

/** Login, refresh and password change: the credential flows. */
@Injectable()
export class AuthService {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(TokenIssuer) private readonly issuer: TokenIssuer,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
  ) {}

  /**
   * Unknown email and wrong password cost the same (a dummy hash is verified) and answer the same
   * body. A locked account answers 429 with Retry-After before any password check.
   */
  async login(email: string, password: string, context: ClientContext): Promise<TokenResponse> {
    const { user, grant } = await this.authenticate(email, password, context);
    return this.issuer.forSession(user, grant, 'password');
  }

  /**
   * The password check behind every sign-in (`/auth/login`, the console, the hosted OpenID
   * Connect login page), so lockout counts their attempts together; opens the session.
   */
  async authenticate(
    email: string,
    password: string,
    context: ClientContext,
  ): Promise<{ user: UserEntity; grant: SessionGrant }> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      await this.hasher.verifyAgainstDummy(password);
      await this.audit.record({
        type: 'login.failed',
        details: { email: normalizeEmail(email).slice(0, 320), reason: 'unknown_email' },
      });
      this.metrics.login('failure');
      throw new ApiError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    const now = this.clock.now();
    if (user.lockedUntil !== null && user.lockedUntil > now) {
      const retryAfter = String(Math.ceil((user.lockedUntil - now) / 1000));
      this.metrics.login('locked');
      throw new ApiError(
        429,
        'account_locked',
        'too many failed logins; try again later',
        {},
        { 'Retry-After': retryAfter },
      );
    }
    if (user.lockedUntil !== null) await this.users.endExpiredLock(user.id, user.lockedUntil);
    // The attempt is claimed before the (slow) password check, so racing requests cannot check
    // more than LOGIN_MAX_FAILURES passwords. None left (checks in flight, or lost in a crash):
    // lock, so that it ends; a correct password in flight lifts it.
    const { loginMaxFailures, loginLockoutSeconds } = this.config;
    const lockEnd = now + loginLockoutSeconds * 1000;
    if (!(await this.users.claimLoginAttempt(user.id, loginMaxFailures))) {
      if (await this.users.lockIfExhausted(user.id, loginMaxFailures, lockEnd))
        await this.recordLock(user.id);
      this.metrics.login('locked');
      throw new ApiError(
        429,
        'account_locked',
        'too many failed logins; try again later',
        {},
        { 'Retry-After': String(loginLockoutSeconds) },
      );
    }

    let valid: boolean;
    try {
      valid = await this.hasher.verify(user.passwordHash, password);
    } catch (error) {
      // The hasher was too busy to check (503): no password was tried, so the attempt is not
      // spent. Otherwise a flood of logins could lock accounts it never guessed at.
      await this.users.releaseLoginAttempt(user.id);
      throw error;
    }
    if (!valid) {
      await this.audit.record({
        type: 'login.failed',
        subjectId: user.id,
        details: { reason: 'wrong_password' },
      });
      this.metrics.login('failure');
      if (await this.users.lockIfExhausted(user.id, loginMaxFailures, lockEnd))
        await this.recordLock(user.id);
      throw new ApiError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    await this.users.clearFailedLogins(user.id);
    if (user.disabled) {
      await this.audit.record({
        type: 'login.failed',
        subjectId: user.id,
        details: { reason: 'disabled' },
      });
      this.metrics.login('failure');
      throw new ApiError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    // Only after the password: a guesser learns nothing about unverified accounts.
    if (this.config.requireVerifiedEmail && !user.emailVerified) {
      this.metrics.login('failure');
      throw new ApiError(403, 'email_not_verified', 'confirm your email address before signing in');
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(password) });
    }
    const grant = await this.sessions.open(user.id, context);
    await this.audit.record({
      type: 'login.succeeded',
      actorId: user.id,
      subjectId: user.id,
      details: { sessionId: grant.session.id },
    });
    this.metrics.login('success');
    return { user, grant };
  }

  private recordLock(userId: string): Promise<void> {
    return this.audit.record({
      type: 'account.locked',
      subjectId: userId,
      details: { seconds: this.config.loginLockoutSeconds },
    });
  }

  /**
   * Rotates a refresh token; the user is re-read so role changes and disabling apply at once.
   * A refresh token belongs to one client: another client's is refused before it rotates.
   */
  async refresh(
    refreshToken: string,
    context: ClientContext,
    clientId: string = FIRST_PARTY_CLIENT_ID,
  ): Promise<TokenResponse> {
    const owner = await this.sessions.sessionOf(refreshToken);
    if (owner && (owner.clientId ?? FIRST_PARTY_CLIENT_ID) !== clientId) throw invalidGrant();
    let grant;
    try {
      grant = await this.sessions.refresh(refreshToken, context);
    } catch (error) {
      if (error instanceof RefreshRefusedError) {
        if (error.reason === 'reused' && error.session) {
          this.metrics.refreshReuseDetected();
          await this.audit.record({
            type: 'refresh.reuse_detected',
            subjectId: error.session.userId,
            details: { sessionId: error.session.id },
          });
        }
        throw invalidGrant();
      }
      throw error;
    }
    const user = await this.users.findById(grant.session.userId);
    if (!user || user.disabled) {
      await this.sessions.revoke(grant.session.id, user ? 'user_disabled' : 'user_deleted');
      throw invalidGrant();
    }
    return this.issuer.forSession(user, grant, 'refresh_token');
  }

  /** Changes the password and ends every other session of the user. */
  async changePassword(
    userId: string,
    sessionId: string | undefined,
    current: string,
    next: string,
  ): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || !(await this.hasher.verify(user.passwordHash, current))) {
      throw new ApiError(403, 'invalid_current_password', 'the current password is incorrect');
    }
    await this.users.update(user.id, { passwordHash: await this.hasher.hash(next) });
    const ended = await this.sessions.revokeAllForUser(user.id, 'password_changed', sessionId);
    await this.audit.record({
      type: 'password.changed',
      subjectId: user.id,
      details: { sessionsRevoked: ended },
    });
  }
}
