import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** The scopes a user allowed a client, remembered so the consent page is not shown again. */
@Entity('oauth_consents')
export class ConsentEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'simple-json' })
  scopes!: string[];

  @Column({ name: 'granted_at', type: 'bigint', transformer: epochMs })
  grantedAt!: number;
}
