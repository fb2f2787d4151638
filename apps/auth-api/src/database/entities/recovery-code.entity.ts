import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** One single-use recovery code; only its SHA-256 (hex) is stored. */
@Entity('recovery_codes')
export class RecoveryCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64, unique: true })
  codeHash!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs })
  usedAt!: number | null;
}
