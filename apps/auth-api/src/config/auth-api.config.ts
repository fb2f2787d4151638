import {
  ConfigError,
  type CommonServiceConfig,
  EnvReader,
  type LoadedServiceConfig,
  loadServiceConfig,
  readCommonConfig,
} from '@jwt-token/service-kit';
import type { ConfigService } from '@nestjs/config';
import { join, resolve } from 'node:path';

/** Signing algorithms auth-api can issue with (@nestjs/jwt / jsonwebtoken cannot sign EdDSA). */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Everything auth-api reads from its environment, validated once at start. */
export interface AuthApiConfig extends CommonServiceConfig {
  dataDir: string;
  /** `postgres://…`, or undefined for the embedded SQLite file. */
  databaseUrl?: string;
  sqlitePath: string;
  redisUrl?: string;
  issuer: string;
  audience: string;
  jwtAlg: SigningAlgorithm;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshReuseInterval: number;
  adminEmail?: string;
  adminPassword?: string;
  loginMaxFailures: number;
  loginLockoutSeconds: number;
  /** Wrong second-factor codes before the second factor locks (apart from the password's lockout). */
  mfaMaxFailures: number;
  mfaLockoutSeconds: number;
  /** WebAuthn relying party: its id (a registrable domain of the origins) and the origins allowed. */
  webauthnRpId: string;
  webauthnOrigins: string[];
  rateLimitPerMinute: number;
  /** Encrypts private keys and the refresh-token secret at rest when set. */
  keyEncryptionKey?: string;
  /** Seconds between reloads of the signing keys from the database (other instances may rotate). */
  keyReloadSeconds: number;
  /** `smtp://` / `smtps://` server for mail; undefined keeps mail in the database (dev outbox). */
  smtpUrl?: string;
  mailFrom: string;
  /** Base of the links in mails (verification, reset): PUBLIC_URL, else the issuer. */
  publicUrl: string;
  /** Login refuses accounts whose email is not verified (403 `email_not_verified`). */
  requireVerifiedEmail: boolean;
  /**
   * DPoP proofs must carry a server nonce (RFC 9449 §8), at the token endpoint, login and refresh.
   * The nonces are stateless (an HMAC of the time window under a secret every instance shares).
   */
  dpopNonceRequired: boolean;
}

const DAY = 24 * 60 * 60;

/**
 * The schema: reads and validates every variable auth-api knows; throws a `ConfigError` naming the
 * first bad one. Pure: it reads only the object it is given.
 *
 * @example
 * ```ts
 * const config = loadAuthApiConfig({ DATA_DIR: '/tmp/auth', LOG_LEVEL: 'warn' });
 * ```
 */
export function loadAuthApiConfig(
  environment: Record<string, string | undefined> = process.env,
): AuthApiConfig {
  const env = new EnvReader(environment);
  const dataDir = resolve(env.string('DATA_DIR', './data'));
  const adminEmail = env.string('ADMIN_EMAIL');
  const adminPassword = env.string('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 128)) {
    throw new ConfigError('ADMIN_PASSWORD is invalid: expected 8 to 128 characters');
  }
  const keyEncryptionKey = env.string('KEY_ENCRYPTION_KEY');
  if (keyEncryptionKey !== undefined && keyEncryptionKey.length < 32) {
    throw new ConfigError('KEY_ENCRYPTION_KEY is invalid: expected at least 32 characters');
  }
  const issuer = env.url('AUTH_ISSUER', 'http://localhost:3000', ['http', 'https']) as string;
  const publicUrl = env.url('PUBLIC_URL', issuer, ['http', 'https']) as string;
  return {
    ...readCommonConfig(env, 3000),
    dataDir,
    databaseUrl: env.url('DATABASE_URL', undefined, ['postgres', 'postgresql']),
    sqlitePath: join(dataDir, 'auth.sqlite'),
    redisUrl: env.url('REDIS_URL', undefined, ['redis', 'rediss']),
    issuer: issuer.replace(/\/+$/, ''),
    audience: env.string('AUTH_AUDIENCE', 'resource-api'),
    jwtAlg: env.oneOf('JWT_ALG', SIGNING_ALGORITHMS, 'ES256'),
    accessTokenTtl: env.integer('ACCESS_TOKEN_TTL', 900, { min: 30, max: DAY }),
    refreshTokenTtl: env.integer('REFRESH_TOKEN_TTL', 30 * DAY, { min: 60, max: 365 * DAY }),
    refreshReuseInterval: env.integer('REFRESH_REUSE_INTERVAL', 10, { min: 0, max: 300 }),
    adminEmail,
    adminPassword,
    loginMaxFailures: env.integer('LOGIN_MAX_FAILURES', 5, { min: 1, max: 1000 }),
    loginLockoutSeconds: env.integer('LOGIN_LOCKOUT_SECONDS', 900, { min: 1, max: DAY }),
    mfaMaxFailures: env.integer('MFA_MAX_FAILURES', 5, { min: 1, max: 1000 }),
    mfaLockoutSeconds: env.integer('MFA_LOCKOUT_SECONDS', 900, { min: 1, max: DAY }),
    ...readWebauthnConfig(env, publicUrl),
    rateLimitPerMinute: env.integer('RATE_LIMIT_PER_MINUTE', 120, { min: 1, max: 1_000_000 }),
    keyEncryptionKey,
    keyReloadSeconds: env.integer('KEY_RELOAD_SECONDS', 5, { min: 1, max: 3600 }),
    smtpUrl: env.url('SMTP_URL', undefined, ['smtp', 'smtps']),
    mailFrom: readMailFrom(env.string('MAIL_FROM', 'auth-api <no-reply@localhost>')),
    publicUrl: publicUrl.replace(/\/+$/, ''),
    requireVerifiedEmail: env.boolean('REQUIRE_VERIFIED_EMAIL', false),
    dpopNonceRequired: env.boolean('DPOP_NONCE_REQUIRED', false),
  };
}

/**
 * `WEBAUTHN_RP_ID` (default: PUBLIC_URL's host name) and `WEBAUTHN_ORIGINS` (comma-separated,
 * default: PUBLIC_URL's origin). Every origin must be the RP ID or one of its subdomains, as
 * WebAuthn itself demands; a mismatch would only surface as passkeys that never work.
 */
function readWebauthnConfig(
  env: EnvReader,
  publicUrl: string,
): Pick<AuthApiConfig, 'webauthnRpId' | 'webauthnOrigins'> {
  const rpId = env.string('WEBAUTHN_RP_ID', new URL(publicUrl).hostname).toLowerCase();
  const listed = env.string('WEBAUTHN_ORIGINS');
  const origins = (listed ? listed.split(',') : [publicUrl]).map((entry) => {
    let url: URL;
    try {
      url = new URL(entry.trim());
    } catch {
      throw new ConfigError(`WEBAUTHN_ORIGINS is invalid: ${entry.trim()} is not a URL`);
    }
    const host = url.hostname;
    if (
      !['http:', 'https:'].includes(url.protocol) ||
      (host !== rpId && !host.endsWith(`.${rpId}`))
    )
      throw new ConfigError(
        `WEBAUTHN_ORIGINS is invalid: ${url.origin} is not on WEBAUTHN_RP_ID ${rpId} or its subdomains`,
      );
    return url.origin;
  });
  return { webauthnRpId: rpId, webauthnOrigins: origins };
}

/** `MAIL_FROM`: `name <address>` or a bare address, one line (it becomes a header). */
function readMailFrom(value: string): string {
  const address = /<([^<>\s]+@[^<>\s]+)>$/.exec(value)?.[1] ?? value;
  if (/[\r\n]/.test(value) || !/^[^@\s<>]+@[^@\s<>]+$/.test(address)) {
    throw new ConfigError('MAIL_FROM is invalid: expected an address or "Name <address>"');
  }
  return value;
}

/** Injection token of the {@link AuthApiConfig}; its provider takes it from `ConfigService`. */
export const AUTH_API_CONFIG = Symbol('auth-api:config');

/** Where `ConfigService` serves the {@link AuthApiConfig}. */
export const AUTH_API_CONFIG_KEY = 'authApi';

/** `ConfigService` typed for auth-api: `configService.get(AUTH_API_CONFIG_KEY, { infer: true })`. */
export type AuthApiConfigService = ConfigService<{ [AUTH_API_CONFIG_KEY]: AuthApiConfig }, true>;

/**
 * auth-api's configuration through `@nestjs/config`: the env file and the environment validated by
 * {@link loadAuthApiConfig}, or `config` as given (then nothing is read).
 */
export function loadAuthApiConfigModule(
  config?: AuthApiConfig,
): Promise<LoadedServiceConfig<AuthApiConfig>> {
  return loadServiceConfig({ key: AUTH_API_CONFIG_KEY, read: loadAuthApiConfig, config });
}
