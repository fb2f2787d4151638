import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { IsNull, type Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { DirectStatements } from '../database/direct-statements';
import { RecoveryCodeEntity } from '../database/entities';

export const RECOVERY_CODE_COUNT = 10;
/** No 0/o, 1/l/i: codes are read off paper. 31 symbols × 10 ≈ 49.5 bits each. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

/** `abcde-fghjk`, any case, with or without the dash or spaces. */
export const RECOVERY_CODE_PATTERN = /^[a-z0-9]{5}[\s-]?[a-z0-9]{5}$/i;

function normalize(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/**
 * Single-use recovery codes, for when the authenticator is lost. Only SHA-256 hashes (salted by
 * the user id) are stored: the codes carry ~50 random bits and every guess goes through the
 * second factor's lockout, so a slow password hash would add cost without adding safety.
 */
@Injectable()
export class RecoveryCodes {
  constructor(
    @InjectRepository(RecoveryCodeEntity) private readonly codes: Repository<RecoveryCodeEntity>,
    @Inject(DirectStatements) private readonly direct: DirectStatements,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A new set; every earlier code of the user stops working. Shown once, never stored in clear. */
  async generate(userId: string): Promise<string[]> {
    const now = this.clock.now();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const raw = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]);
      return `${raw.slice(0, 5).join('')}-${raw.slice(5).join('')}`;
    });
    await this.codes.manager.transaction(async (manager) => {
      await manager.delete(RecoveryCodeEntity, { userId });
      await manager.insert(
        RecoveryCodeEntity,
        codes.map((code) => ({
          id: randomUUID(),
          userId,
          codeHash: this.hash(userId, code),
          createdAt: now,
          usedAt: null,
        })),
      );
    });
    return codes;
  }

  /** Spends one code; false when it is not an unused code of this user (or a racer spent it). */
  async consume(userId: string, code: string): Promise<boolean> {
    if (!RECOVERY_CODE_PATTERN.test(code)) return false;
    const changed = await this.direct.execute(
      'UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL',
      [this.clock.now(), userId, this.hash(userId, code)],
    );
    return changed > 0;
  }

  remaining(userId: string): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  async removeAll(userId: string): Promise<void> {
    await this.codes.delete({ userId });
  }

  private hash(userId: string, code: string): string {
    return createHash('sha256')
      .update(`${userId}:${normalize(code)}`)
      .digest('hex');
  }
}
