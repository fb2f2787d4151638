import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** A user's TOTP authenticator (RFC 6238): at most one per user. */
@Entity('totp_factors')
export class TotpFactorEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The base32 shared secret, sealed with the key-encryption key (a TOTP check needs it in clear). */
  @Column({ type: 'varchar', length: 255 })
  secret!: string;

  /** Null until the user proved the authenticator works with a first code. */
  @Column({ name: 'confirmed_at', type: 'bigint', nullable: true, transformer: epochMs })
  confirmedAt!: number | null;

  /** The time step of the last accepted code: a code is accepted once (RFC 6238 §5.2). */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedStep!: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
