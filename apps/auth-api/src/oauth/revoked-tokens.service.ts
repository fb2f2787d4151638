import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { RevokedTokenEntity } from '../database/entities';

/**
 * How long a row outlives its token's `exp`: the verifier still accepts a token for its clock
 * tolerance (5 s by default) after `exp`, and the denylist must cover that window too.
 */
const RETENTION_AFTER_EXPIRY_MS = 60_000;

/** The denylist of access tokens revoked before expiry, shared by every instance through the database. */
@Injectable()
export class RevokedTokensService {
  constructor(
    @InjectRepository(RevokedTokenEntity) private readonly revoked: Repository<RevokedTokenEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async revoke(jti: string, expiresAtMs: number): Promise<void> {
    await this.revoked
      .createQueryBuilder()
      .insert()
      .values({ jti, expiresAt: expiresAtMs })
      .orIgnore()
      .execute();
    // Rows of tokens that have expired anyway (clock tolerance included) serve no purpose.
    await this.revoked.delete({
      expiresAt: LessThan(this.clock.now() - RETENTION_AFTER_EXPIRY_MS),
    });
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.revoked.countBy({ jti })) > 0;
  }
}
