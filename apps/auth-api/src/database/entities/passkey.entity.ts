import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/**
 * A WebAuthn credential (a passkey) of a user: its public key, signature counter and what the
 * authenticator said of itself at registration. A user has any number of them.
 */
@Entity('passkeys')
export class PasskeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The credential ID (base64url) the authenticator answers with; unique across all users. */
  @Column({ name: 'credential_id', type: 'varchar', length: 1400, unique: true })
  credentialId!: string;

  /** The COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  /** The authenticator's signature counter: it only moves forward (0 when it keeps none). */
  @Column({ type: 'bigint', transformer: epochMs })
  counter!: number;

  /** `singleDevice` (a security key: amr `hwk`) or `multiDevice` (synced: amr `swk`). */
  @Column({ name: 'device_type', type: 'varchar', length: 16 })
  deviceType!: 'singleDevice' | 'multiDevice';

  @Column({ name: 'backed_up', type: 'boolean', default: false })
  backedUp!: boolean;

  /** Comma-separated WebAuthn transports (`usb,nfc`, `internal`, `hybrid`...), as hints. */
  @Column({ type: 'varchar', length: 128, default: '' })
  transports!: string;

  /** The user's name for it ("Work laptop"). */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedAt!: number | null;
}
