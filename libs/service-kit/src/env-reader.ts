import { isIP } from 'node:net';

/** Thrown for a bad environment variable; the message is the one line the process prints before exiting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * Typed reads of environment variables with defaults. Every read validates; the first bad value
 * throws a {@link ConfigError} naming the variable and what it allows.
 *
 * @example
 * ```ts
 * const env = new EnvReader(process.env);
 * const port = env.integer('PORT', 3000, { min: 0, max: 65535 });
 * ```
 */
export class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string;
  string(name: string, fallback?: undefined): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const min = range.min ?? 0;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(
        `${name}=${JSON.stringify(raw)} is invalid: expected an integer from ${min} to ${max}`,
      );
    }
    return Number(raw);
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected true or false`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!allowed.includes(raw as T)) {
      throw new ConfigError(
        `${name}=${JSON.stringify(raw)} is invalid: expected one of ${allowed.join(', ')}`,
      );
    }
    return raw as T;
  }

  url(
    name: string,
    fallback: string | undefined,
    protocols: readonly string[],
  ): string | undefined {
    const raw = this.raw(name) ?? fallback;
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(`${name} is invalid: expected a URL (${protocols.join(', ')})`);
    }
    if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      throw new ConfigError(`${name} is invalid: expected a ${protocols.join(' or ')} URL`);
    }
    return raw;
  }
}

/** The levels `LOG_LEVEL` accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The values `LOG_FORMAT` accepts; `auto`: human-readable on a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Which peers may tell the client's address in `X-Forwarded-For` (`TRUST_PROXY`): none (`false`),
 * the nearest N hops, or these addresses and CIDR ranges (and proxy-addr's names `loopback`,
 * `linklocal`, `uniquelocal`). Never every peer: that would let any client pick its own address
 * and step around the per-IP limits.
 */
export type TrustProxy = false | number | string[];

/** What every service reads: where to listen, how to log, and whom to believe about client addresses. */
export interface CommonServiceConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  metricsEnabled: boolean;
  trustProxy: TrustProxy;
}

const PROXY_ADDR_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `TRUST_PROXY`: see {@link TrustProxy}. */
export function readTrustProxy(env: EnvReader): TrustProxy {
  const raw = env.string('TRUST_PROXY');
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  const invalid = (why: string) =>
    new ConfigError(
      `TRUST_PROXY=${JSON.stringify(raw)} is invalid: ${why}; expected false, a number of hops (1-10), or addresses and CIDR ranges of your proxies separated by commas`,
    );
  if (raw.toLowerCase() === 'true')
    throw invalid('trusting every peer lets any client choose its own address');
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw invalid('a hop count must be from 1 to 10');
    return hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!isAddressOrRange(entry))
      throw invalid(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
  }
  return entries;
}

function isAddressOrRange(entry: string): boolean {
  if (PROXY_ADDR_NAMES.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

export function readCommonConfig(env: EnvReader, defaultPort: number): CommonServiceConfig {
  return {
    port: env.integer('PORT', defaultPort, { min: 0, max: 65535 }),
    host: env.string('HOST', '127.0.0.1'),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: env.oneOf('LOG_FORMAT', LOG_FORMATS, 'auto'),
    metricsEnabled: env.boolean('METRICS_ENABLED', false),
    trustProxy: readTrustProxy(env),
  };
}
