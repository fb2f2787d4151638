import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { ServerSecretEntity } from '../database/entities';
import { SecretBox } from './secret-box';

/**
 * Random secrets every instance must share, created once in the database (sealed under
 * KEY_ENCRYPTION_KEY when set). Two instances racing to create one both end up with the winner's.
 */
@Injectable()
export class ServerSecrets {
  constructor(
    @InjectRepository(ServerSecretEntity)
    private readonly repository: Repository<ServerSecretEntity>,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async getOrCreate(name: string, bytes = 32): Promise<Buffer> {
    const existing = await this.repository.findOneBy({ name });
    if (existing) return this.reveal(existing);
    const value = randomBytes(bytes).toString('base64url');
    await this.repository
      .createQueryBuilder()
      .insert()
      .values({ name, value: this.secretBox.seal(value), createdAt: this.clock.now() })
      .orIgnore()
      .execute();
    return this.reveal(await this.repository.findOneByOrFail({ name }));
  }

  /**
   * A shared value made by `create` the first time (a key pair, say), sealed like the others.
   * When two instances race, both end up with the one stored first.
   */
  async getOrCreateValue(name: string, create: () => Promise<string>): Promise<string> {
    const existing = await this.repository.findOneBy({ name });
    if (existing) return this.secretBox.open(existing.value);
    await this.repository
      .createQueryBuilder()
      .insert()
      .values({ name, value: this.secretBox.seal(await create()), createdAt: this.clock.now() })
      .orIgnore()
      .execute();
    return this.secretBox.open((await this.repository.findOneByOrFail({ name })).value);
  }

  /** A value stored by {@link getOrCreateValue}, if any. */
  async findValue(name: string): Promise<string | undefined> {
    const existing = await this.repository.findOneBy({ name });
    return existing ? this.secretBox.open(existing.value) : undefined;
  }

  private async reveal(row: ServerSecretEntity): Promise<Buffer> {
    // Open first: a start with the wrong key must fail without touching what is stored.
    const plain = this.secretBox.open(row.value);
    if (this.secretBox.needsReseal(row.value)) {
      await this.repository.update({ name: row.name }, { value: this.secretBox.seal(plain) });
    }
    return Buffer.from(plain, 'base64url');
  }
}
