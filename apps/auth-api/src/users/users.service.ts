import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { QueryFailedError, type Repository } from 'typeorm';

import { ApiError } from '@jwt-token/service-kit';

import { CLOCK, type Clock } from '../common/clock';
import { PasswordHasher } from '../crypto/password-hasher';
import { DirectStatements } from '../database/direct-statements';
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
    @Inject(DirectStatements) private readonly direct: DirectStatements,
  ) {}

  /** Creates a user; 409 `email_taken` when the (normalised) email exists, even under a race. */
  async create(
    email: string,
    password: string,
    roles: Role[] = ['user'],
    emailVerified = false,
  ): Promise<UserEntity> {
    const now = this.clock.now();
    const user = this.users.create({
      id: randomUUID(),
      email: normalizeEmail(email),
      passwordHash: await this.hasher.hash(password),
      roles,
      disabled: false,
      emailVerified,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.users.insert(user);
    } catch (error) {
      // The unique index decides between racing registrations: exactly one insert wins.
      if (isUniqueViolation(error))
        throw new ApiError(409, 'email_taken', 'an account with this email already exists');
      throw error;
    }
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.direct.findOneBy(UserEntity, 'id', id);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.direct.findOneBy(UserEntity, 'email', normalizeEmail(email));
  }

  list(offset: number, limit: number): Promise<[UserEntity[], number]> {
    return this.users.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
  }

  async update(
    id: string,
    changes: Partial<Pick<UserEntity, 'roles' | 'disabled' | 'passwordHash'>>,
  ): Promise<void> {
    await this.users.update({ id }, { ...changes, updatedAt: this.clock.now() });
  }

  async markEmailVerified(id: string): Promise<void> {
    await this.users.update({ id }, { emailVerified: true, updatedAt: this.clock.now() });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Claims one of the account's `maxFailures` attempts before its password is checked, in one
   * conditional UPDATE, so that racing requests never check more passwords than that. The claim
   * counts as a failure until a correct password clears the counter. False when none is left.
   */
  async claimLoginAttempt(id: string, maxFailures: number): Promise<boolean> {
    const claimed = await this.direct.execute(
      'UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? AND failed_logins < ?',
      [id, maxFailures],
    );
    return claimed > 0;
  }

  /** Gives back an attempt claimed for a password check that never happened (the hasher refused it). */
  async releaseLoginAttempt(id: string): Promise<void> {
    await this.users
      .createQueryBuilder()
      .update(UserEntity)
      .set({ failedLogins: () => 'failed_logins - 1' })
      .where('id = :id AND failed_logins > 0', { id })
      .execute();
  }

  /** After a wrong password: locks the account until `lockEnd` once its claimed attempts are used up. */
  /** Returns true when this call locked the account (for the audit log and metrics). */
  async lockIfExhausted(id: string, maxFailures: number, lockEnd: number): Promise<boolean> {
    const result = await this.users
      .createQueryBuilder()
      .update(UserEntity)
      .set({ lockedUntil: lockEnd })
      .where('id = :id AND failed_logins >= :maxFailures AND locked_until IS NULL', {
        id,
        maxFailures,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async clearFailedLogins(id: string): Promise<void> {
    await this.direct.execute(
      'UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?',
      [id],
    );
  }

  /** Resets the counter of an account whose lock (seen as `lockedUntil`) ran out; racing callers reset it once. */
  async endExpiredLock(id: string, lockedUntil: number): Promise<void> {
    await this.users.update({ id, lockedUntil }, { failedLogins: 0, lockedUntil: null });
  }
}
