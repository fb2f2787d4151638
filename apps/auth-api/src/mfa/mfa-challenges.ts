import { Inject, Injectable } from '@nestjs/common';

import { AccountTokensService } from '../account/account-tokens.service';
import type { AccountTokenEntity } from '../database/entities';

/** A sign-in challenge lives five minutes: long enough to find the phone, short for a thief. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;

/** How a second factor can be proven. */
export type MfaMethod = 'totp' | 'recovery_code' | 'passkey';

/** What the first step of a sign-in answers when a second factor is needed. */
export interface MfaRequired {
  /** Opaque, single-use; names the user to the second step and proves the password was right. */
  mfaToken: string;
  methods: MfaMethod[];
  expiresIn: number;
}

/**
 * The short-lived challenge between a correct password and the second factor. It is an account
 * token (hashed at rest, single use, {@link ACCOUNT_TOKEN_MAX_ATTEMPTS} presentations), so it is
 * shared by every instance and survives none of the ways a token could leak: it is never an
 * access token, and a new sign-in retires the user's earlier challenge.
 */
@Injectable()
export class MfaChallenges {
  constructor(@Inject(AccountTokensService) private readonly tokens: AccountTokensService) {}

  async issue(userId: string, methods: MfaMethod[]): Promise<MfaRequired> {
    const { token } = await this.tokens.issue(userId, 'mfa_challenge', MFA_CHALLENGE_TTL_SECONDS);
    return { mfaToken: token, methods, expiresIn: MFA_CHALLENGE_TTL_SECONDS };
  }

  /** The live challenge `mfaToken` names; each presentation spends one of its attempts. */
  claim(mfaToken: string): Promise<AccountTokenEntity | null> {
    return this.tokens.claimByLink('mfa_challenge', mfaToken);
  }

  /** Ends the challenge once its sign-in finished; false when a racing request finished it first. */
  redeem(challenge: AccountTokenEntity): Promise<boolean> {
    return this.tokens.redeem(challenge);
  }
}
