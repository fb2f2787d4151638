import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { ConsentEntity } from '../database/entities';

/** Consents remembered per user and client: the scopes the user allowed. */
@Injectable()
export class ConsentsService {
  constructor(
    @InjectRepository(ConsentEntity) private readonly consents: Repository<ConsentEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Whether the user has allowed the client every one of `scopes`. */
  async covers(userId: string, clientId: string, scopes: string[]): Promise<boolean> {
    const consent = await this.consents.findOneBy({ userId, clientId });
    return consent !== null && scopes.every((scope) => consent.scopes.includes(scope));
  }

  /** Adds `scopes` to what the user allowed the client. */
  async grant(userId: string, clientId: string, scopes: string[]): Promise<void> {
    const existing = await this.consents.findOneBy({ userId, clientId });
    const merged = [...new Set([...(existing?.scopes ?? []), ...scopes])];
    await this.consents.save({ userId, clientId, scopes: merged, grantedAt: this.clock.now() });
  }

  list(userId: string): Promise<ConsentEntity[]> {
    return this.consents.find({ where: { userId }, order: { grantedAt: 'DESC' } });
  }

  async revoke(userId: string, clientId: string): Promise<boolean> {
    const result = await this.consents.delete({ userId, clientId });
    return (result.affected ?? 0) > 0;
  }
}
