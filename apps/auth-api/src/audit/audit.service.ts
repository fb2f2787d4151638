import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Between, type FindOptionsWhere, type Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { DirectStatements } from '../database/direct-statements';
import { AuditEventEntity } from '../database/entities';
import { auditContext } from './audit-context';

/** The security events auth-api records. */
export const AUDIT_EVENT_TYPES = [
  'user.registered',
  'login.succeeded',
  'login.failed',
  'account.locked',
  'refresh.reuse_detected',
  'session.logout',
  'session.logout_all',
  'session.revoked',
  'password.changed',
  'user.roles_changed',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'client.created',
  'client.deleted',
  'key.rotated',
  'code.reuse_detected',
  'consent.granted',
  'consent.revoked',
  'session.oidc_logout',
  'email_verification.sent',
  'email.verified',
  'password_reset.requested',
  'password_reset.completed',
  'password_reset.failed',
  'mfa.challenged',
  'mfa.failed',
  'mfa.locked',
  'mfa.totp_enabled',
  'mfa.totp_removed',
  'mfa.recovery_codes_generated',
  'mfa.recovery_code_used',
  'mfa.factors_reset',
  'passkey.registered',
  'passkey.renamed',
  'passkey.removed',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export type AuditDetails = Record<string, string | number | boolean | null | undefined | string[]>;

export interface AuditEventInput {
  type: AuditEventType;
  subjectId?: string | null;
  /** Overrides the actor taken from the request (e.g. `cli`, or the user who just logged in). */
  actorId?: string | null;
  /** Extra facts: ids, role lists. Never a password, token or secret. */
  details?: AuditDetails;
}

export interface AuditQuery {
  offset: number;
  limit: number;
  type?: string;
  actor?: string;
  subject?: string;
  since?: number;
  until?: number;
}

/** Appends events to the audit log and pages through it. */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DirectStatements) private readonly direct: DirectStatements,
  ) {}

  private sequence = 0;

  /**
   * Ids sort like the events happened: the time, then a per-process sequence for events of the
   * same millisecond, then randomness so that instances never collide.
   */
  private nextId(at: number): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return `${String(at).padStart(13, '0')}-${String(this.sequence).padStart(6, '0')}-${randomBytes(7).toString('hex').slice(0, 15)}`;
  }

  async record(input: AuditEventInput): Promise<void> {
    const context = auditContext.getStore();
    const at = this.clock.now();
    await this.direct.insert(AuditEventEntity, {
      id: this.nextId(at),
      at,
      type: input.type,
      actorId: input.actorId !== undefined ? input.actorId : (context?.actorId ?? null),
      subjectId: input.subjectId ?? null,
      ip: context?.ip ?? null,
      userAgent: context?.userAgent ?? null,
      details: input.details ?? null,
    });
  }

  async list(query: AuditQuery) {
    const where: FindOptionsWhere<AuditEventEntity> = {};
    if (query.type) where.type = query.type;
    if (query.actor) where.actorId = query.actor;
    if (query.subject) where.subjectId = query.subject;
    if (query.since !== undefined || query.until !== undefined) {
      where.at = Between(query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER);
    }
    const [items, total] = await this.events.findAndCount({
      where,
      order: { at: 'DESC', id: 'DESC' },
      skip: query.offset,
      take: query.limit,
    });
    return {
      items: items.map((event) => ({ ...event, at: new Date(event.at).toISOString() })),
      total,
      offset: query.offset,
      limit: query.limit,
    };
  }
}
