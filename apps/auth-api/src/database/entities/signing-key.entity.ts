import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/**
 * A signing key pair, in one of three states: next (published in the JWKS, not signing yet, so
 * resource servers already hold it when a rotation activates it), active (signs new tokens), and
 * retired (published until every token it signed has expired, then deleted).
 */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'varchar', length: 16 })
  alg!: string;

  /** Public JWK (JSON). */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk!: string;

  /** PKCS#8 PEM, or `enc:v1:…` when sealed with KEY_ENCRYPTION_KEY. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  /** When it started signing; null while it is the pre-published next key. */
  @Column({ name: 'activated_at', type: 'bigint', nullable: true, transformer: epochMs })
  activatedAt!: number | null;

  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochMs })
  retiredAt!: number | null;
}
