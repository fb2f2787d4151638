import { createTransport, type Transporter } from 'nodemailer';

/** A message auth-api sends: plain text, one recipient. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** Hands a message to an SMTP server (nodemailer); a class so tests and the outbox can stand in. */
export class SmtpMailTransport {
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Short timeouts: a stuck server must not hold background work (and shutdown) for minutes.
    const url = new URL(smtpUrl);
    url.searchParams.set('connectionTimeout', '10000');
    url.searchParams.set('greetingTimeout', '10000');
    url.searchParams.set('socketTimeout', '20000');
    this.transporter = createTransport(url.toString());
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({ from: this.from, ...mail });
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * What can be said about a failed send without leaking secrets: nodemailer's error code and the
 * server's reply code, never the message (it may quote the body) or the URL (it may hold a password).
 */
export function describeMailError(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const parts = [typeof code === 'string' ? code : 'ERROR'];
  if (typeof responseCode === 'number') parts.push(`SMTP ${responseCode}`);
  return parts.join(' ').slice(0, 200);
}
