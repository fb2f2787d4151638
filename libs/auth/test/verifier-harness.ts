import type {
  AccessTokenClaims,
  AuthClock,
  AuthModuleOptions,
  JwtAlgorithm,
  KeySource,
  VerificationKey,
} from '../src';
import { AuthError, resolveAuthOptions, TokenVerifier, VerifiedTokenCache } from '../src';
import { InMemoryKeyStore, TestTokenFactory, type TestTokenOptions } from '../src/testing';

export const ISSUER = 'http://auth.test';
export const AUDIENCE = 'test-api';

/** A clock that only moves when told to; starts on a whole second close to the real time. */
export class FakeClock implements AuthClock {
  constructor(public ms = Math.floor(Date.now() / 1000) * 1000) {}

  now(): number {
    return this.ms;
  }

  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** Wraps a key source and counts lookups: a lookup is what every uncached verification costs. */
export class CountingKeySource implements KeySource {
  getKeyCalls = 0;

  constructor(private readonly inner: KeySource) {}

  getKey(kid: string): Promise<VerificationKey | undefined> {
    this.getKeyCalls += 1;
    return this.inner.getKey(kid);
  }

  hasKey(kid: string): boolean {
    return this.inner.hasKey(kid);
  }

  /** Counted too: the synchronous path looks a key up exactly when `getKey` would have. */
  peekKey(kid: string): VerificationKey | undefined {
    this.getKeyCalls += 1;
    return this.inner.peekKey?.(kid);
  }
}

export interface VerifierHarness {
  verifier: TokenVerifier;
  cache: VerifiedTokenCache;
  keys: InMemoryKeyStore;
  source: CountingKeySource;
  clock: FakeClock;
  /** Signs with the trusted key; `iat`/`exp` default to the fake clock (exp = now + 300). */
  sign(claims?: Partial<AccessTokenClaims>, options?: TestTokenOptions): string;
}

/** A TokenVerifier wired as AuthModule wires it, over an InMemoryKeyStore and a fake clock. */
export function createVerifier(
  options: Partial<AuthModuleOptions> = {},
  keyAlg: JwtAlgorithm = 'ES256',
): VerifierHarness {
  const clock = new FakeClock();
  const keys = new InMemoryKeyStore(keyAlg);
  const resolved = resolveAuthOptions({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [keyAlg],
    clock,
    keyStore: keys,
    ...options,
  });
  const source = new CountingKeySource(keys);
  const cache = new VerifiedTokenCache(resolved.cacheMaxEntries, source, clock);
  const factory = new TestTokenFactory(keys, ISSUER, AUDIENCE);
  return {
    verifier: new TokenVerifier(resolved, source, cache),
    cache,
    keys,
    source,
    clock,
    sign: (claims = {}, signOptions = {}) =>
      factory.sign({ iat: clock.seconds, exp: clock.seconds + 300, ...claims }, signOptions),
  };
}

export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** Re-encodes a token's payload with `change` applied, keeping header and signature. */
export function tamperPayload(
  token: string,
  change: (claims: Record<string, unknown>) => void,
): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  change(claims);
  return `${header}.${b64url(claims)}.${signature}`;
}

/** The promise's AuthError code, or a failure if it resolved or threw anything else. */
export async function codeOf(promise: Promise<unknown>): Promise<AuthError['code']> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
  throw new Error('expected the token to be refused, but it verified');
}
