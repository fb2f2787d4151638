import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { AfterResponse } from '../src/mail/after-response';
import type { TestAuthApi } from './harness';

/** A real SMTP server on a free port: every message it accepts, parsed by mailparser. */
export class TestSmtpServer {
  readonly messages: ParsedMail[] = [];
  private readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.messages.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as { port: number }).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The messages sent to `to`, oldest first. */
  to(to: string): ParsedMail[] {
    return this.messages.filter((mail) => mail.to && 'text' in mail.to && mail.to.text === to);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Waits until auth-api has done the work its answers left for later (mail included). */
export function settled(api: TestAuthApi): Promise<void> {
  return api.app.get(AfterResponse).idle();
}

/** The link and code of a mail's text. */
export function secretsOf(text: string | undefined): { link: string; token: string; code: string } {
  const link = /(https?:\/\/\S+\?token=([A-Za-z0-9_-]+))/.exec(text ?? '');
  const code = /code: (\d{6})/.exec(text ?? '');
  if (!link || !code) throw new Error(`no link and code in: ${text}`);
  return { link: link[1], token: link[2], code: code[1] };
}
