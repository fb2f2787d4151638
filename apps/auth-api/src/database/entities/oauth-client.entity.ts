import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** A service client of the client-credentials grant. Its secret is shown once and stored hashed. */
@Entity('oauth_clients')
export class OAuthClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** SHA-256 of the secret: the secret is 256 random bits, so a slow hash would add nothing. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 128 })
  secretHash!: string;

  @Column({ type: 'simple-json' })
  scopes!: string[];

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
