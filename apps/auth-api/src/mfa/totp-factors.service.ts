import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Secret, TOTP } from 'otpauth';
import { toString as qrCodeSvg } from 'qrcode';
import { IsNull, type Repository } from 'typeorm';

import { ApiError } from '@jwt-token/service-kit';

import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { SecretBox } from '../crypto/secret-box';
import { DirectStatements } from '../database/direct-statements';
import { TotpFactorEntity } from '../database/entities';

/** RFC 6238 defaults, the only ones every authenticator app supports: SHA-1, 6 digits, 30 s. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps accepted either side of now: ±30 s of clock skew between phone and server. */
const SKEW_STEPS = 1;
/** 160 bits, RFC 4226's recommended secret length. */
const SECRET_BYTES = 20;

export const TOTP_CODE_PATTERN = /^\d{6}$/;

/** What an enrolment shows once: the secret as text, as an `otpauth://` URI and as a QR code. */
export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

/**
 * TOTP authenticators (RFC 6238, computed by `otpauth`). A code is accepted once: the step it
 * belongs to is stored by a conditional UPDATE that only moves forward, so a replayed code (or
 * an older one, within the skew window) is refused even when requests race.
 */
@Injectable()
export class TotpFactors {
  constructor(
    @InjectRepository(TotpFactorEntity) private readonly factors: Repository<TotpFactorEntity>,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(DirectStatements) private readonly direct: DirectStatements,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Starts (or restarts) an enrolment; an authenticator already confirmed must be removed first. */
  async begin(userId: string, email: string): Promise<TotpEnrolment> {
    const existing = await this.factors.findOneBy({ userId });
    if (existing?.confirmedAt)
      throw new ApiError(409, 'totp_already_enabled', 'remove the current authenticator first');
    const secret = new Secret({ size: SECRET_BYTES });
    const row = {
      userId,
      secret: this.secretBox.seal(secret.base32),
      confirmedAt: null,
      lastUsedStep: null,
      createdAt: this.clock.now(),
    };
    // An unconfirmed enrolment is replaced; a confirmed one (a racing confirm) never is.
    if (existing) await this.factors.update({ userId, confirmedAt: IsNull() }, row);
    else await this.factors.insert(row);
    const uri = this.totp(secret.base32, email).toString();
    return {
      secret: secret.base32,
      otpauth_uri: uri,
      qr_svg: await qrCodeSvg(uri, { type: 'svg' }),
    };
  }

  /** Finishes an enrolment with a first code from the app; false when the code is wrong. */
  async confirm(userId: string, code: string): Promise<boolean> {
    const row = await this.factors.findOneBy({ userId });
    if (!row || row.confirmedAt !== null) return false;
    const step = this.stepOf(row, code);
    if (step === null) return false;
    const changed = await this.direct.execute(
      'UPDATE totp_factors SET confirmed_at = ?, last_used_step = ? WHERE user_id = ? AND confirmed_at IS NULL',
      [this.clock.now(), step, userId],
    );
    return changed > 0;
  }

  /** Checks a sign-in code of a confirmed authenticator, and spends its step. */
  async verify(userId: string, code: string): Promise<boolean> {
    const row = await this.direct.findOneBy(TotpFactorEntity, 'userId', userId);
    if (!row || row.confirmedAt === null) return false;
    const step = this.stepOf(row, code);
    if (step === null) return false;
    const changed = await this.direct.execute(
      'UPDATE totp_factors SET last_used_step = ? WHERE user_id = ? AND confirmed_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < ?)',
      [step, userId, step],
    );
    return changed > 0;
  }

  async isEnabled(userId: string): Promise<boolean> {
    const row = await this.direct.findOneBy(TotpFactorEntity, 'userId', userId);
    return row !== null && row.confirmedAt !== null;
  }

  async confirmedAt(userId: string): Promise<number | null> {
    return (await this.factors.findOneBy({ userId }))?.confirmedAt ?? null;
  }

  async remove(userId: string): Promise<boolean> {
    const result = await this.factors.delete({ userId });
    return (result.affected ?? 0) > 0;
  }

  /** The time step `code` belongs to, within the skew window; null when it matches none. */
  private stepOf(row: TotpFactorEntity, code: string): number | null {
    if (!TOTP_CODE_PATTERN.test(code)) return null;
    const totp = this.totp(this.secretBox.open(row.secret));
    const timestamp = this.clock.now();
    const delta = totp.validate({ token: code, timestamp, window: SKEW_STEPS });
    return delta === null ? null : totp.counter({ timestamp }) + delta;
  }

  private totp(base32: string, label = 'account'): TOTP {
    return new TOTP({
      issuer: new URL(this.config.publicUrl).host,
      label,
      algorithm: 'SHA1',
      digits: DIGITS,
      period: PERIOD_SECONDS,
      secret: Secret.fromBase32(base32),
    });
  }
}
