import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { IsNull, MoreThan, type Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { DirectStatements } from '../database/direct-statements';
import { AccountTokenEntity, type AccountTokenPurpose } from '../database/entities';

/** Presentations a token survives (wrong codes included): OWASP's "limited attempts". */
export const ACCOUNT_TOKEN_MAX_ATTEMPTS = 5;

/** The shape of a link token (32 random bytes, base64url): anything else is refused unread. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A freshly issued secret: shown once, in the mail; only hashes are stored. */
export interface IssuedAccountToken {
  token: string;
  code: string;
}

/**
 * Single-use, expiring, attempt-limited secrets for verification and reset. Every presentation
 * claims one attempt in a conditional UPDATE before anything is compared, so racing requests
 * cannot try more than {@link ACCOUNT_TOKEN_MAX_ATTEMPTS} codes; redeeming is another conditional
 * UPDATE, so a token works exactly once however many requests race.
 */
@Injectable()
export class AccountTokensService {
  constructor(
    @InjectRepository(AccountTokenEntity) private readonly tokens: Repository<AccountTokenEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DirectStatements) private readonly direct: DirectStatements,
  ) {}

  /** Issues a new secret; the user's earlier ones for the same purpose stop working. */
  async issue(
    userId: string,
    purpose: AccountTokenPurpose,
    ttlSeconds: number,
  ): Promise<IssuedAccountToken> {
    const now = this.clock.now();
    await this.retire(userId, purpose);
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.tokens.insert({
      id,
      userId,
      purpose,
      tokenHash: sha256(token),
      codeHash: sha256(`${id}:${code}`),
      attempts: 0,
      createdAt: now,
      expiresAt: now + ttlSeconds * 1000,
      usedAt: null,
    });
    return { token, code };
  }

  /** How many secrets of `purpose` the user was sent since `since` (a cap against mail floods). */
  issuedSince(userId: string, purpose: AccountTokenPurpose, since: number): Promise<number> {
    return this.tokens.countBy({ userId, purpose, createdAt: MoreThan(since) });
  }

  /** The token a link carries, if it is live: counts as one attempt. */
  async claimByLink(
    purpose: AccountTokenPurpose,
    token: string,
  ): Promise<AccountTokenEntity | null> {
    if (!LINK_TOKEN_PATTERN.test(token)) return null;
    const row = await this.direct.findOneBy(AccountTokenEntity, 'tokenHash', sha256(token));
    if (!row || row.purpose !== purpose) return null;
    return (await this.claimAttempt(row)) ? row : null;
  }

  /** The user's live token whose code this is: a wrong code spends one of its attempts. */
  async claimByCode(
    purpose: AccountTokenPurpose,
    userId: string,
    code: string,
  ): Promise<AccountTokenEntity | null> {
    const row = await this.tokens.findOne({
      where: { userId, purpose, usedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
    if (!row || !(await this.claimAttempt(row))) return null;
    const expected = Buffer.from(row.codeHash, 'hex');
    const actual = Buffer.from(sha256(`${row.id}:${code}`), 'hex');
    return timingSafeEqual(expected, actual) ? row : null;
  }

  /** Spends a claimed token; false when another request spent it first. */
  async redeem(row: AccountTokenEntity): Promise<boolean> {
    const changed = await this.direct.execute(
      'UPDATE account_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL',
      [this.clock.now(), row.id],
    );
    return changed > 0;
  }

  /** Ends every live secret of the user for `purpose` (a new one was issued, or one was used). */
  async retire(userId: string, purpose: AccountTokenPurpose): Promise<void> {
    await this.direct.execute(
      'UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL',
      [this.clock.now(), userId, purpose],
    );
  }

  private async claimAttempt(row: AccountTokenEntity): Promise<boolean> {
    const now = this.clock.now();
    const claimed = await this.direct.execute(
      'UPDATE account_tokens SET attempts = attempts + 1 WHERE id = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?',
      [row.id, now, ACCOUNT_TOKEN_MAX_ATTEMPTS],
    );
    return claimed > 0;
  }
}
