import type { OutgoingMail } from './mail.transport';

/** What a mailed secret looks like: the link (built from PUBLIC_URL or AUTH_ISSUER) and the code. */
export interface MailedSecret {
  to: string;
  link: string;
  code: string;
  minutes: number;
}

export function verificationMail({ to, link, code, minutes }: MailedSecret): OutgoingMail {
  return {
    to,
    subject: 'Confirm your email address',
    text: [
      'Confirm the email address of your account by opening this link:',
      '',
      link,
      '',
      `or by entering this code: ${code}`,
      '',
      `The link and the code work once, for ${minutes} minutes.`,
      'If you did not create an account, ignore this message.',
    ].join('\n'),
  };
}

export function passwordResetMail({ to, link, code, minutes }: MailedSecret): OutgoingMail {
  return {
    to,
    subject: 'Reset your password',
    text: [
      'Someone asked to reset the password of your account. To choose a new one, open this link:',
      '',
      link,
      '',
      `or enter this code: ${code}`,
      '',
      `The link and the code work once, for ${minutes} minutes. Your password stays as it is until`,
      'you choose a new one; afterwards every device is signed out.',
      'If you did not ask for this, ignore this message.',
    ].join('\n'),
  };
}
