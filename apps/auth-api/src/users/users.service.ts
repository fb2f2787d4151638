import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { QueryFailedError, type Repository } from 'typeorm';

import { ApiError } from '@jwt-token/service-kit';

import { CLOCK, type Clock } from '../common/clock';
import { PasswordHasher } from '../crypto/password-hasher';
import { UserEntity } from '../database/entities';
import { normalizeEmail } from './email';
import type { Role } from './roles';

/** SQLite and PostgreSQL report a unique-constraint violation differently. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string };
  return driverError.code === '23505' || driverError.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Users: creation, lookup, roles, and the per-account failed-login counter. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Creates a user; 409 `email_taken` when the (normalised) email exists, even under a race. */
  async create(email: string, password: string, roles: Role[] = ['user']): Promise<UserEntity> {
    const now = this.clock.now();
    const user = this.users.create({
      id: randomUUID(),
      email: normalizeEmail(email),
      passwordHash: await this.hasher.hash(password),
      roles,
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.users.insert(user);
    } catch (error) {
      // The unique index decides between racing registrations: exactly one insert wins.
      if (isUniqueViolation(error)) throw new ApiError(409, 'email_taken', 'an account with this email already exists');
      throw error;
    }
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  list(offset: number, limit: number): Promise<[UserEntity[], number]> {
    return this.users.findAndCount({ order: { createdAt: 'ASC', id: 'ASC' }, skip: offset, take: limit });
  }

  async update(id: string, changes: Partial<Pick<UserEntity, 'roles' | 'disabled' | 'passwordHash'>>): Promise<void> {
    await this.users.update({ id }, { ...changes, updatedAt: this.clock.now() });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts a failed login atomically (in the database, so every instance sees it) and locks the
   * account once `maxFailures` is reached. Returns the lock's end when this failure locked it.
   */
  async recordFailedLogin(id: string, maxFailures: number, lockoutMs: number): Promise<void> {
    const now = this.clock.now();
    await this.users
      .createQueryBuilder()
      .update(UserEntity)
      .set({
        failedLogins: () => 'failed_logins + 1',
        lockedUntil: () => `CASE WHEN failed_logins + 1 >= :maxFailures THEN :lockEnd ELSE locked_until END`,
      })
      .where('id = :id', { id })
      .setParameters({ maxFailures, lockEnd: now + lockoutMs })
      .execute();
  }

  async clearFailedLogins(id: string): Promise<void> {
    await this.users.update({ id }, { failedLogins: 0, lockedUntil: null });
  }
}
