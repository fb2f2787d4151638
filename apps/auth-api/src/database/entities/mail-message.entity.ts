import { Column, Entity, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** `outbox`: kept for an admin (no SMTP_URL); `sent`; `failed`: SMTP refused it after retries. */
export type MailStatus = 'outbox' | 'sent' | 'failed';

/**
 * A mail auth-api produced. Without SMTP_URL the whole message is kept (the dev outbox); with SMTP
 * only a failure is recorded, without its body (it holds a live link).
 */
@Entity('mail_messages')
export class MailMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'to_address', type: 'varchar', length: 320 })
  to!: string;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ type: 'varchar', length: 10 })
  status!: MailStatus;

  @Column({ type: 'varchar', length: 200, nullable: true })
  error!: string | null;
}
