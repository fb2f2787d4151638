import { Inject, Injectable } from '@nestjs/common';

import { Passkeys, type PasskeyView } from '../passkeys/passkeys.service';
import type { MfaMethod } from './mfa-challenges';
import { RecoveryCodes } from './recovery-codes.service';
import { TotpFactors } from './totp-factors.service';

/** What a user (or an admin, about a user) sees of the account's second factors. */
export interface FactorsSummary {
  totp: { enabled: boolean; confirmed_at: string | null };
  recovery_codes: { remaining: number };
  passkeys: PasskeyView[];
}

/**
 * The account's second factors as a whole: which methods a sign-in may continue with, what the
 * account page shows, and the admin's reset.
 */
@Injectable()
export class SecondFactors {
  constructor(
    @Inject(TotpFactors) private readonly totp: TotpFactors,
    @Inject(RecoveryCodes) private readonly recovery: RecoveryCodes,
    @Inject(Passkeys) private readonly passkeys: Passkeys,
  ) {}

  /**
   * Empty when the account has no second factor: then a password alone signs in. A passkey is
   * one: an account that has one never signs in with the password alone.
   */
  async methodsFor(userId: string): Promise<MfaMethod[]> {
    const methods: MfaMethod[] = [];
    if (await this.totp.isEnabled(userId)) methods.push('totp', 'recovery_code');
    if (await this.passkeys.has(userId)) methods.push('passkey');
    return methods;
  }

  async summary(userId: string): Promise<FactorsSummary> {
    const confirmedAt = await this.totp.confirmedAt(userId);
    return {
      totp: {
        enabled: confirmedAt !== null,
        confirmed_at: confirmedAt === null ? null : new Date(confirmedAt).toISOString(),
      },
      recovery_codes: { remaining: await this.recovery.remaining(userId) },
      passkeys: await this.passkeys.list(userId),
    };
  }

  /** Removes every second factor (the admin's reset for a user who lost theirs). */
  async resetAll(userId: string): Promise<void> {
    await this.totp.remove(userId);
    await this.recovery.removeAll(userId);
    await this.passkeys.removeAll(userId);
  }
}
