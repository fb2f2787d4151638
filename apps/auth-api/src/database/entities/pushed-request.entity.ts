import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** A pushed authorization request (RFC 9126), stored by the SHA-256 of its `request_uri`. */
@Entity('oauth_pushed_requests')
export class PushedRequestEntity {
  @PrimaryColumn({ name: 'request_uri_hash', type: 'varchar', length: 64 })
  requestUriHash!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  /** The validated authorization parameters. */
  @Column({ type: 'simple-json' })
  params!: Record<string, string>;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt!: number;
}
