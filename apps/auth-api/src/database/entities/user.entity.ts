import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Normalised (trimmed, NFC, lower-case); unique in the database. */
  @Column({ type: 'varchar', length: 320, unique: true })
  email!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Proven by a link or code sent to the address (or set by an admin). */
  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  @Column({ name: 'failed_logins', type: 'integer', default: 0 })
  failedLogins!: number;

  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: epochMs })
  lockedUntil!: number | null;

  /** Failed second-factor checks: the second factor's own lockout, apart from the password's. */
  @Column({ name: 'mfa_failures', type: 'integer', default: 0 })
  mfaFailures!: number;

  @Column({ name: 'mfa_locked_until', type: 'bigint', nullable: true, transformer: epochMs })
  mfaLockedUntil!: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
