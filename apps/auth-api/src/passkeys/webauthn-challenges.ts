import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';

import { CLOCK, type Clock } from '../common/clock';
import { DirectStatements } from '../database/direct-statements';
import { type WebauthnCeremony, WebauthnChallengeEntity } from '../database/entities';

/** Five minutes, as the WebAuthn options' `timeout` tells the browser. */
export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 300;

/** 32 random bytes, base64url: the shape of every challenge issued here. */
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * WebAuthn challenges: random, stored as hashes in the database (shared by every instance),
 * answered at most once. A challenge names its ceremony and, except for a passwordless sign-in,
 * its user, so an answer to one ceremony never completes another.
 */
@Injectable()
export class WebauthnChallenges {
  constructor(
    @Inject(DirectStatements) private readonly direct: DirectStatements,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(ceremony: WebauthnCeremony, userId: string | null): Promise<string> {
    const now = this.clock.now();
    // Anyone may ask for a sign-in challenge: expired ones are swept as new ones come in.
    await this.direct.execute('DELETE FROM webauthn_challenges WHERE expires_at < ?', [now]);
    const challenge = randomBytes(32).toString('base64url');
    await this.direct.insert(WebauthnChallengeEntity, {
      challengeHash: sha256(challenge),
      ceremony,
      userId,
      expiresAt: now + WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
      usedAt: null,
    });
    return challenge;
  }

  /**
   * Spends `challenge` if it is live and was issued for `ceremony` (and `userId`, when given): one
   * conditional UPDATE, so of two racing answers one wins. The user it was issued for, or null.
   */
  async spend(
    challenge: string,
    ceremony: WebauthnCeremony,
    userId?: string,
  ): Promise<{ userId: string | null } | null> {
    if (!CHALLENGE_PATTERN.test(challenge)) return null;
    const hash = sha256(challenge);
    const row = await this.direct.findOneBy(WebauthnChallengeEntity, 'challengeHash', hash);
    if (!row || row.ceremony !== ceremony) return null;
    if (userId !== undefined && row.userId !== userId) return null;
    const spent = await this.direct.execute(
      'UPDATE webauthn_challenges SET used_at = ? WHERE challenge_hash = ? AND used_at IS NULL AND expires_at > ?',
      [this.clock.now(), hash, this.clock.now()],
    );
    return spent > 0 ? { userId: row.userId } : null;
  }
}
