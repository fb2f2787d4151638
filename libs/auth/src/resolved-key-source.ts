import type {
  JwksClientOptions,
  StaticPublicKey,
} from './interfaces/auth-module-options.interface';
import type { IssuerConfig } from './interfaces/issuer-config.interface';
import type { KeySource, SigningKeyStore } from './interfaces/key-source.interface';

/** A key source after validation. */
export type ResolvedKeySource =
  | { kind: 'jwks'; uri: string; client: Required<JwksClientOptions> }
  | { kind: 'discovery'; issuer: string; client: Required<JwksClientOptions> }
  | { kind: 'x509'; uri: string; client: Required<JwksClientOptions> }
  | { kind: 'static'; keys: readonly StaticPublicKey[] }
  | { kind: 'store'; store: SigningKeyStore }
  | { kind: 'custom'; source: KeySource };

/** Stops the app at start: every options validator (module, issuers, presets) throws through this. */
export function fail(message: string): never {
  throw new Error(`@jwt-token/auth: invalid options: ${message}`);
}

export function nonNegativeInteger(name: string, value: number | undefined, fallback: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a non-negative integer`);
  return value;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${name} must be http(s)`);
  return url.toString();
}

function client(at: string, jwks: JwksClientOptions = {}): Required<JwksClientOptions> {
  return {
    timeoutMs: nonNegativeInteger(`${at}jwks.timeoutMs`, jwks.timeoutMs, 5000),
    cooldownMs: nonNegativeInteger(`${at}jwks.cooldownMs`, jwks.cooldownMs, 30000),
    maxAgeMs: nonNegativeInteger(`${at}jwks.maxAgeMs`, jwks.maxAgeMs, 600000),
  };
}

/**
 * `at` prefixes messages (`'issuers[2].'`, empty for the module's own issuer); `names` lists the
 * key-source options the caller offers, for the message when not exactly one is given.
 */
export function resolveKeySource(
  config: IssuerConfig,
  at: string,
  names: readonly string[],
  exactIssuers: readonly string[],
): ResolvedKeySource {
  const given = names.filter((name) => {
    const value = config[name as keyof IssuerConfig];
    return value !== undefined && value !== false;
  });
  if (given.length !== 1) {
    const list = `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
    fail(`${at ? `${at.slice(0, -1)}: ` : ''}give exactly one key source: ${list}`);
  }
  if (config.keyStore) return { kind: 'store', store: config.keyStore };
  if (config.keySource) return { kind: 'custom', source: config.keySource };
  if (config.publicKeys) {
    if (config.publicKeys.length === 0) fail(`${at}publicKeys is empty`);
    return { kind: 'static', keys: config.publicKeys };
  }
  if (config.x509Uri !== undefined) {
    return {
      kind: 'x509',
      uri: httpUrl(`${at}x509Uri`, config.x509Uri),
      client: client(at, config.jwks),
    };
  }
  if (config.discovery !== undefined) {
    // Discovery names one issuer; a templated or multi-spelling config has no single document.
    const issuer = typeof config.discovery === 'string' ? config.discovery : exactIssuers[0];
    if (typeof config.discovery !== 'string' && exactIssuers.length !== 1)
      fail(`${at}discovery: true needs a single issuer; give the issuer to discover`);
    httpUrl(`${at}discovery`, issuer);
    return { kind: 'discovery', issuer, client: client(at, config.jwks) };
  }
  return {
    kind: 'jwks',
    uri: httpUrl(`${at}jwksUri`, config.jwksUri as string),
    client: client(at, config.jwks),
  };
}
