import { Inject, Injectable } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AuthService, type SignedIn } from '../auth/auth.service';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import { MfaChallenges } from '../mfa/mfa-challenges';
import { invalidMfaToken, MfaSignIn } from '../mfa/mfa-sign-in.service';
import type { ClientContext } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { Passkeys } from './passkeys.service';

export function passkeyRefused(): ApiError {
  return new ApiError(401, 'invalid_passkey', 'the passkey was not accepted; try again');
}

/**
 * Signing in with a passkey: passwordless (a discoverable credential, user verification required:
 * `amr` `hwk`/`swk` + `mfa`), or as the second step after the password (`pwd` `hwk`/`swk` `mfa`).
 * Both open the one kind of session every sign-in opens ({@link AuthService.completeSignIn}).
 */
@Injectable()
export class PasskeySignIn {
  constructor(
    @Inject(Passkeys) private readonly passkeys: Passkeys,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(MfaSignIn) private readonly mfa: MfaSignIn,
    @Inject(MfaChallenges) private readonly challenges: MfaChallenges,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
  ) {}

  /**
   * Passwordless. Passkeys cannot be guessed, so no lockout counts them (a password lockout does
   * not stop the owner's passkey); a refusal is audited and answers the same whatever failed.
   */
  async signIn(credential: Record<string, unknown>, context: ClientContext): Promise<SignedIn> {
    const proof = await this.passkeys.verifySignIn(credential);
    const user = proof ? await this.users.findById(proof.userId) : null;
    if (!proof || !user) {
      await this.audit.record({
        type: 'login.failed',
        subjectId: proof?.userId ?? null,
        details: { reason: 'passkey_refused' },
      });
      this.metrics.login('failure');
      throw passkeyRefused();
    }
    await this.auth.assertMaySignIn(user);
    return this.auth.completeSignIn(user, proof.amr, context);
  }

  /** Options for the second step; presenting the challenge spends one of its attempts. */
  async secondFactorOptions(mfaToken: string) {
    const challenge = await this.challenges.claim(mfaToken);
    if (!challenge) throw invalidMfaToken();
    return this.passkeys.secondFactorOptions(challenge.userId);
  }

  /** The second step with a passkey, counted by the second factor's lockout like a code. */
  completeSecondFactor(
    mfaToken: string,
    credential: Record<string, unknown>,
    context: ClientContext,
  ): Promise<SignedIn> {
    return this.mfa.completeWith(mfaToken, context, (user) =>
      this.passkeys.verifySecondFactor(user.id, credential),
    );
  }
}
