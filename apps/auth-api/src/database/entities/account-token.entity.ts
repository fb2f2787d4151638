import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** What an account token proves when presented. */
export type AccountTokenPurpose = 'verify_email' | 'password_reset' | 'mfa_challenge';

/**
 * A single-use secret mailed to a user: a link token and a short code for the same purpose. Only
 * their SHA-256 hashes are stored, so a database leak gives no usable link.
 */
@Entity('account_tokens')
export class AccountTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 20 })
  purpose!: AccountTokenPurpose;

  /** SHA-256 (hex) of the link token; unique. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  /** SHA-256 (hex) of `<id>:<code>`: the code alone is too short to be its own lookup key. */
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  /** Wrong codes and refused presentations so far; the token dies at the limit. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;

  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs })
  usedAt!: number | null;
}
