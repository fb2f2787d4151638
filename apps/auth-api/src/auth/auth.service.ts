import { Inject, Injectable } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { PasswordHasher } from '../crypto/password-hasher';
import { MfaChallenges, type MfaRequired } from '../mfa/mfa-challenges';
import { SecondFactors } from '../mfa/second-factors';
import type { AuthMethod } from '../sessions/auth-methods';
import {
  type ClientContext,
  RefreshRefusedError,
  SessionsService,
} from '../sessions/sessions.service';
import { normalizeEmail } from '../users/email';
import { UsersService } from '../users/users.service';
import type { UserEntity } from '../database/entities';
import type { SessionGrant } from '../sessions/sessions.service';
import { AttemptLimiter } from './attempt-limiter';
import { TokenIssuer } from './token-issuer';
import { FIRST_PARTY_CLIENT_ID, type TokenResponse } from './token-response';

const INVALID_CREDENTIALS = 'email or password is incorrect';

export function invalidGrant(
  message = 'the refresh token is invalid, expired or revoked',
): ApiError {
  return new ApiError(401, 'invalid_grant', message);
}

/** RFC 9449 §5: a bound refresh token came without a proof by its key. */
export const DPOP_KEY_REQUIRED =
  'the refresh token is bound to a DPoP key: send a DPoP proof signed by that key';

/** A finished sign-in: the user and the session opened for them. */
export interface SignedIn {
  kind: 'signed_in';
  user: UserEntity;
  grant: SessionGrant;
}

/** The password was right, and the account has a second factor: the sign-in continues there. */
export interface SecondFactorRequired {
  kind: 'second_factor';
  user: UserEntity;
  challenge: MfaRequired;
}

/**
 * 403 `mfa_required` with the challenge: a client that knows nothing of second factors fails
 * closed (no token), one that does continues at `POST /auth/login/mfa`.
 */
export function mfaRequiredError(challenge: MfaRequired): ApiError {
  return new ApiError(403, 'mfa_required', 'a second factor is required to finish signing in', {
    mfa_token: challenge.mfaToken,
    mfa_methods: challenge.methods,
    expires_in: challenge.expiresIn,
  });
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
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
    @Inject(AttemptLimiter) private readonly attempts: AttemptLimiter,
    @Inject(SecondFactors) private readonly factors: SecondFactors,
    @Inject(MfaChallenges) private readonly challenges: MfaChallenges,
  ) {}

  /**
   * Unknown email and wrong password cost the same (a dummy hash is verified) and answer the same
   * body. A locked account answers 429 with Retry-After before any password check. An account
   * with a second factor answers 403 `mfa_required` (see {@link mfaRequiredError}).
   */
  async login(email: string, password: string, context: ClientContext): Promise<TokenResponse> {
    const outcome = await this.authenticate(email, password, context);
    if (outcome.kind === 'second_factor') throw mfaRequiredError(outcome.challenge);
    return this.issuer.forSession(outcome.user, outcome.grant, 'password');
  }

  /**
   * The password check behind every sign-in (`/auth/login`, the console, the hosted OpenID
   * Connect login page), so lockout counts their attempts together. Opens the session, or, when
   * the account has a second factor, issues the challenge for it (and no session yet).
   */
  async authenticate(
    email: string,
    password: string,
    context: ClientContext,
  ): Promise<SignedIn | SecondFactorRequired> {
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
    if (!(await this.passwordMatches(user, password))) {
      await this.audit.record({
        type: 'login.failed',
        subjectId: user.id,
        details: { reason: 'wrong_password' },
      });
      this.metrics.login('failure');
      throw new ApiError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    await this.assertMaySignIn(user);
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(password) });
    }
    const methods = await this.factors.methodsFor(user.id);
    if (methods.length > 0) {
      const challenge = await this.challenges.issue(user.id, methods);
      await this.audit.record({ type: 'mfa.challenged', subjectId: user.id, details: { methods } });
      return { kind: 'second_factor', user, challenge };
    }
    return this.completeSignIn(user, ['pwd'], context);
  }

  /**
   * Refuses a sign-in whose factors were right but whose account may not sign in. Called only
   * after a factor was checked: a guesser learns nothing about disabled or unverified accounts.
   */
  async assertMaySignIn(user: UserEntity): Promise<void> {
    if (user.disabled) {
      await this.audit.record({
        type: 'login.failed',
        subjectId: user.id,
        details: { reason: 'disabled' },
      });
      this.metrics.login('failure');
      throw new ApiError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    if (this.config.requireVerifiedEmail && !user.emailVerified) {
      this.metrics.login('failure');
      throw new ApiError(403, 'email_not_verified', 'confirm your email address before signing in');
    }
  }

  /** Opens the session of a sign-in whose every factor was checked; `amr` says which. */
  async completeSignIn(
    user: UserEntity,
    amr: readonly AuthMethod[],
    context: ClientContext,
  ): Promise<SignedIn> {
    const grant = await this.sessions.open(user.id, context, amr);
    await this.audit.record({
      type: 'login.succeeded',
      actorId: user.id,
      subjectId: user.id,
      details: { sessionId: grant.session.id, amr: [...amr] },
    });
    this.metrics.login('success');
    return { kind: 'signed_in', user, grant };
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
        throw error.reason === 'dpop_key' ? invalidGrant(DPOP_KEY_REQUIRED) : invalidGrant();
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

  /**
   * Asks a signed-in user for their password again before a change to their factors, so that a
   * stolen access token cannot remove them. Wrong passwords count towards the lockout.
   */
  async confirmPassword(userId: string, password: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    if (!(await this.passwordMatches(user, password)))
      throw new ApiError(403, 'invalid_current_password', 'the current password is incorrect');
    return user;
  }

  /**
   * Every check of a known account's password, at sign-in and on re-confirmation alike, counts
   * on the one password counter: a stolen access token cannot guess the current password any
   * faster than a sign-in form could. Throws 429 while the account is locked.
   */
  private async passwordMatches(user: UserEntity, password: string): Promise<boolean> {
    await this.attempts.claim(user, 'password');
    let valid: boolean;
    try {
      valid = await this.hasher.verify(user.passwordHash, password);
    } catch (error) {
      // The hasher was too busy to check (503): no password was tried, so the attempt is not
      // spent. Otherwise a flood of logins could lock accounts it never guessed at.
      await this.attempts.release(user.id, 'password');
      throw error;
    }
    if (valid) await this.attempts.succeeded(user.id, 'password');
    else await this.attempts.failed(user.id, 'password');
    return valid;
  }

  /** Changes the password and ends every other session of the user. */
  async changePassword(
    userId: string,
    sessionId: string | undefined,
    current: string,
    next: string,
  ): Promise<void> {
    const user = await this.confirmPassword(userId, current);
    await this.users.update(user.id, { passwordHash: await this.hasher.hash(next) });
    const ended = await this.sessions.revokeAllForUser(user.id, 'password_changed', sessionId);
    await this.audit.record({
      type: 'password.changed',
      subjectId: user.id,
      details: { sessionsRevoked: ended },
    });
  }
}
