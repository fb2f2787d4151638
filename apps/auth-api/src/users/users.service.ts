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

/** Users: creation, lookup and roles (failed attempts are counted by `AttemptLimiter`). */
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
}
