import type { AuthClock } from './interfaces/auth-clock.interface';
import { systemClock } from './interfaces/auth-clock.interface';
import type {
  AuthModuleOptions,
  JwksClientOptions,
  StaticPublicKey,
} from './interfaces/auth-module-options.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import { SUPPORTED_ALGORITHMS } from './interfaces/jwt-algorithm';
import type { SigningKeyStore } from './interfaces/key-source.interface';
import type { RevocationChecker } from './interfaces/revocation-checker.interface';

/** Options after validation, with every default filled in. */
export interface ResolvedAuthOptions {
  issuer: string;
  audiences: readonly string[];
  algorithms: ReadonlySet<JwtAlgorithm>;
  keySource:
    | { kind: 'jwks'; uri: string; client: Required<JwksClientOptions> }
    | { kind: 'static'; keys: readonly StaticPublicKey[] }
    | { kind: 'store'; store: SigningKeyStore };
  clockToleranceSeconds: number;
  maxTokenBytes: number;
  roleHierarchy: Readonly<Record<string, readonly string[]>>;
  accessTokenTtlSeconds: number;
  cacheMaxEntries: number;
  revocationChecker: RevocationChecker | null;
  realm: string;
  clock: AuthClock;
}

function fail(message: string): never {
  throw new Error(`@jwt-token/auth: invalid options: ${message}`);
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a non-negative integer`);
  return value;
}

function resolveKeySource(options: AuthModuleOptions): ResolvedAuthOptions['keySource'] {
  const given = [options.jwksUri, options.publicKeys, options.keyStore].filter(
    (v) => v !== undefined,
  );
  if (given.length !== 1) fail('give exactly one key source: jwksUri, publicKeys or keyStore');
  if (options.keyStore) return { kind: 'store', store: options.keyStore };
  if (options.publicKeys) {
    if (options.publicKeys.length === 0) fail('publicKeys is empty');
    return { kind: 'static', keys: options.publicKeys };
  }
  let uri: URL;
  try {
    uri = new URL(options.jwksUri as string);
  } catch {
    fail('jwksUri is not a URL');
  }
  if (uri.protocol !== 'https:' && uri.protocol !== 'http:') fail('jwksUri must be http(s)');
  const jwks = options.jwks ?? {};
  return {
    kind: 'jwks',
    uri: uri.toString(),
    client: {
      timeoutMs: nonNegativeInteger('jwks.timeoutMs', jwks.timeoutMs, 5000),
      cooldownMs: nonNegativeInteger('jwks.cooldownMs', jwks.cooldownMs, 30000),
      maxAgeMs: nonNegativeInteger('jwks.maxAgeMs', jwks.maxAgeMs, 600000),
    },
  };
}

/** Rejects a hierarchy with unknown shapes or cycles, which would make role checks ambiguous. */
function validateHierarchy(hierarchy: Record<string, string[]>): void {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (role: string, path: string[]): void => {
    if (done.has(role)) return;
    if (visiting.has(role)) fail(`roleHierarchy has a cycle: ${[...path, role].join(' -> ')}`);
    visiting.add(role);
    for (const child of Object.hasOwn(hierarchy, role) ? hierarchy[role] : [])
      visit(child, [...path, role]);
    visiting.delete(role);
    done.add(role);
  };
  for (const [role, children] of Object.entries(hierarchy)) {
    if (!Array.isArray(children) || children.some((c) => typeof c !== 'string')) {
      fail(`roleHierarchy.${role} must be a list of role names`);
    }
    visit(role, []);
  }
}

/** Validates user options once, at module start, so that a misconfiguration never reaches a request. */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  if (!options || typeof options !== 'object') fail('options are required');
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) fail('issuer is required');
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a.length === 0)) {
    fail('audience must be a non-empty string or list of strings');
  }
  const algorithms = options.algorithms ?? ['ES256'];
  if (algorithms.length === 0) fail('algorithms must not be empty');
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(alg)) {
      fail(`algorithm ${String(alg)} is not allowed (use ${SUPPORTED_ALGORITHMS.join(', ')})`);
    }
  }
  const roleHierarchy = options.roleHierarchy ?? {};
  validateHierarchy(roleHierarchy);
  const cache = options.verifiedTokenCache;
  return {
    issuer: options.issuer,
    audiences,
    algorithms: new Set(algorithms),
    keySource: resolveKeySource(options),
    clockToleranceSeconds: nonNegativeInteger(
      'clockToleranceSeconds',
      options.clockToleranceSeconds,
      5,
    ),
    maxTokenBytes: nonNegativeInteger('maxTokenBytes', options.maxTokenBytes, 8192),
    roleHierarchy,
    accessTokenTtlSeconds: nonNegativeInteger(
      'accessTokenTtlSeconds',
      options.accessTokenTtlSeconds,
      900,
    ),
    cacheMaxEntries:
      cache === false
        ? 0
        : nonNegativeInteger('verifiedTokenCache.maxEntries', cache?.maxEntries, 10000),
    revocationChecker: options.revocationChecker ?? null,
    realm: options.realm ?? audiences[0],
    clock: options.clock ?? systemClock,
  };
}
