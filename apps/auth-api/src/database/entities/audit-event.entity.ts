import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { epochMs } from '../epoch-ms.transformer';

/** One security event: who did what to whom, when, from where. Never a password or token. */
@Entity('audit_events')
@Index('idx_audit_events_at', ['at'])
@Index('idx_audit_events_type_at', ['type', 'at'])
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'bigint', transformer: epochMs })
  at!: number;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  /** Who acted: a user id, a client id, `cli`, or null for an anonymous caller. */
  @Index('idx_audit_events_actor')
  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  /** What it was done to: a user id, a client id, a kid. */
  @Index('idx_audit_events_subject')
  @Column({ name: 'subject_id', type: 'varchar', length: 64, nullable: true })
  subjectId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  details!: Record<string, string | number | boolean | null | undefined | string[]> | null;
}
