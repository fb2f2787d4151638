import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Repository } from 'typeorm';

import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { MailMessageEntity, type MailStatus } from '../database/entities';
import { describeMailError, type OutgoingMail, SmtpMailTransport } from './mail.transport';

/** Pauses before the 2nd and 3rd try: a busy or restarting server usually recovers within them. */
export const MAIL_RETRY_DELAYS_MS = [500, 2000];

/** A stored message as admins read it (`GET /mail/outbox`, `mail:list`). */
export interface MailView {
  id: string;
  createdAt: string;
  to: string;
  subject: string;
  text: string | null;
  status: MailStatus;
  error: string | null;
}

/**
 * Sends mail over SMTP_URL, or, without it, keeps each message in the database: the dev outbox
 * admins read in the console, so that `npm start` needs no mail server.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger(MailService.name);
  private readonly smtp?: SmtpMailTransport;

  constructor(
    @Inject(AUTH_API_CONFIG) config: AuthApiConfig,
    @InjectRepository(MailMessageEntity) private readonly messages: Repository<MailMessageEntity>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    if (config.smtpUrl) this.smtp = new SmtpMailTransport(config.smtpUrl, config.mailFrom);
  }

  get mode(): 'smtp' | 'outbox' {
    return this.smtp ? 'smtp' : 'outbox';
  }

  /** Delivers or stores `mail`; an SMTP failure is retried, then recorded (without the body). */
  async send(mail: OutgoingMail): Promise<void> {
    if (!this.smtp) {
      await this.store(mail, 'outbox', mail.text, null);
      return;
    }
    let lastError: unknown;
    for (let attempt = 0; attempt <= MAIL_RETRY_DELAYS_MS.length; attempt += 1) {
      if (attempt > 0) await sleep(MAIL_RETRY_DELAYS_MS[attempt - 1]);
      try {
        await this.smtp.send(mail);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    const reason = describeMailError(lastError);
    this.logger.warn(`mail "${mail.subject}" not delivered after retries: ${reason}`);
    await this.store(mail, 'failed', null, reason);
  }

  async list(offset: number, limit: number): Promise<{ items: MailView[]; total: number }> {
    const [rows, total] = await this.messages.findAndCount({
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: offset,
      take: limit,
    });
    const items = rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() }));
    return { items, total };
  }

  onModuleDestroy(): void {
    this.smtp?.close();
  }

  private async store(
    mail: OutgoingMail,
    status: MailStatus,
    text: string | null,
    error: string | null,
  ): Promise<void> {
    await this.messages.insert({
      id: randomUUID(),
      createdAt: this.clock.now(),
      to: mail.to,
      subject: mail.subject.slice(0, 200),
      text,
      status,
      error,
    });
  }
}
