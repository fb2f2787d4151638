import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { RevokedTokenEntity } from '../database/entities';

/** The denylist of access tokens revoked before expiry, shared by every instance through the database. */
@Injectable()
export class RevokedTokensService {
  constructor(
    @InjectRepository(RevokedTokenEntity) private readonly revoked: Repository<RevokedTokenEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async revoke(jti: string, expiresAtMs: number): Promise<void> {
    await this.revoked.createQueryBuilder().insert().values({ jti, expiresAt: expiresAtMs }).orIgnore().execute();
    // Rows of tokens that have expired anyway serve no purpose.
    await this.revoked.delete({ expiresAt: LessThan(this.clock.now()) });
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.revoked.countBy({ jti })) > 0;
  }
}
