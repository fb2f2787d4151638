import type { AuthModuleOptions } from './interfaces/auth-module-options.interface';
import { systemClock } from './interfaces/auth-clock.interface';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import { resolveAuthOptions } from './resolved-auth-options';
import { InMemoryKeyStore } from './testing';

const keyStore = new InMemoryKeyStore();
const publicKeys = [{ kid: 'k1', key: keyStore.toJwks().keys[0] }];
const base: AuthModuleOptions = { issuer: 'http://auth.test', audience: 'api', keyStore };
const resolve = (overrides: Partial<AuthModuleOptions>) => () =>
  resolveAuthOptions({ ...base, ...overrides });

describe(resolveAuthOptions.name, () => {
  it('fills in the documented defaults', () => {
    const options = resolveAuthOptions(base);
    expect(options).toMatchObject({
      issuer: 'http://auth.test',
      audiences: ['api'],
      algorithms: new Set(['ES256']),
      keySource: { kind: 'store', store: keyStore },
      clockToleranceSeconds: 5,
      maxTokenBytes: 8192,
      roleHierarchy: {},
      accessTokenTtlSeconds: 900,
      cacheMaxEntries: 10000,
      revocationChecker: null,
      mfaAcrValues: ['2'],
      realm: 'api',
    });
    expect(options.clock).toBe(systemClock);
  });

  it('fills in the JWKS client defaults', () => {
    const options = resolveAuthOptions({
      ...base,
      keyStore: undefined,
      jwksUri: 'https://auth.test/jwks.json',
    });
    expect(options.keySource).toEqual({
      kind: 'jwks',
      uri: 'https://auth.test/jwks.json',
      client: { timeoutMs: 5000, cooldownMs: 30000, maxAgeMs: 600000 },
    });
  });

  it('keeps given values', () => {
    const clock = { now: () => 0 };
    const options = resolveAuthOptions({
      ...base,
      audience: ['a', 'b'],
      algorithms: ['RS256', 'PS256'],
      clockToleranceSeconds: 0,
      verifiedTokenCache: { maxEntries: 3 },
      realm: 'orders',
      clock,
    });
    expect(options).toMatchObject({
      audiences: ['a', 'b'],
      clockToleranceSeconds: 0,
      cacheMaxEntries: 3,
      realm: 'orders',
      clock,
    });
    expect([...options.algorithms]).toEqual(['RS256', 'PS256']);
  });

  it('makes the realm the first audience by default', () => {
    expect(resolveAuthOptions({ ...base, audience: ['orders', 'billing'] }).realm).toBe('orders');
  });

  it('turns the cache off with verifiedTokenCache: false', () => {
    expect(resolveAuthOptions({ ...base, verifiedTokenCache: false }).cacheMaxEntries).toBe(0);
  });

  describe('key source', () => {
    it.each<[string, Partial<AuthModuleOptions>]>([
      ['none', { keyStore: undefined }],
      ['keyStore and publicKeys', { publicKeys }],
      ['keyStore and jwksUri', { jwksUri: 'https://auth.test/jwks.json' }],
      ['all three', { publicKeys, jwksUri: 'https://auth.test/jwks.json' }],
    ])('rejects %s', (_, overrides) => {
      expect(resolve(overrides)).toThrow('give exactly one key source');
    });

    it('accepts publicKeys alone, and rejects an empty list', () => {
      expect(resolveAuthOptions({ ...base, keyStore: undefined, publicKeys }).keySource.kind).toBe(
        'static',
      );
      expect(resolve({ keyStore: undefined, publicKeys: [] })).toThrow('publicKeys is empty');
    });

    it.each(['not a url', 'ftp://auth.test/jwks.json', 'file:///etc/passwd'])(
      'rejects jwksUri %p',
      (jwksUri) => {
        expect(resolve({ keyStore: undefined, jwksUri })).toThrow(/jwksUri/);
      },
    );

    it('rejects a negative JWKS timeout', () => {
      expect(
        resolve({ keyStore: undefined, jwksUri: 'https://a.test/j', jwks: { timeoutMs: -1 } }),
      ).toThrow('jwks.timeoutMs');
    });
  });

  describe('algorithms', () => {
    it.each(['HS256', 'HS512', 'none', 'None', 'RS512', 'es256', ''])(
      'rejects %p at start',
      (alg) => {
        expect(resolve({ algorithms: [alg as JwtAlgorithm] })).toThrow(
          /algorithm .* is not allowed/,
        );
      },
    );

    it('rejects HS256 even next to an allowed algorithm', () => {
      expect(resolve({ algorithms: ['ES256', 'HS256' as JwtAlgorithm] })).toThrow('not allowed');
    });

    it('rejects an empty list', () => {
      expect(resolve({ algorithms: [] })).toThrow('algorithms must not be empty');
    });
  });

  describe('role hierarchy', () => {
    it.each<[string, Record<string, string[]>]>([
      ['a self-cycle', { admin: ['admin'] }],
      ['a two-role cycle', { admin: ['editor'], editor: ['admin'] }],
      ['a longer cycle', { a: ['b'], b: ['c'], c: ['a'] }],
    ])('rejects %s', (_, roleHierarchy) => {
      expect(resolve({ roleHierarchy })).toThrow('roleHierarchy has a cycle');
    });

    it('accepts a diamond, which is not a cycle', () => {
      expect(resolve({ roleHierarchy: { a: ['b', 'c'], b: ['d'], c: ['d'] } })).not.toThrow();
    });

    it('rejects a value that is not a list of role names', () => {
      expect(resolve({ roleHierarchy: { admin: 'editor' as unknown as string[] } })).toThrow(
        'roleHierarchy.admin',
      );
      expect(resolve({ roleHierarchy: { admin: [1 as unknown as string] } })).toThrow(
        'roleHierarchy.admin',
      );
    });
  });

  describe('mfaAcrValues', () => {
    it('keeps a given list, an empty one included (amr alone decides then)', () => {
      expect(resolve({ mfaAcrValues: ['urn:mfa', 'gold'] })().mfaAcrValues).toEqual([
        'urn:mfa',
        'gold',
      ]);
      expect(resolve({ mfaAcrValues: [] })().mfaAcrValues).toEqual([]);
    });

    it.each<[string, unknown]>([
      ['a string', '2'],
      ['a number in the list', [2]],
      ['an empty value', ['']],
      ['a value with a space, which acr_values could not carry', ['level 2']],
      ['a value with a quote', ['a"b']],
    ])('rejects %s', (_, mfaAcrValues) => {
      expect(resolve({ mfaAcrValues: mfaAcrValues as string[] })).toThrow('mfaAcrValues');
    });
  });

  describe('other fields', () => {
    it.each<[string, Partial<AuthModuleOptions>, string]>([
      ['a missing issuer', { issuer: '' }, 'issuer is required'],
      ['an empty audience', { audience: '' }, 'audience'],
      ['an empty audience list', { audience: [] }, 'audience'],
      ['a negative tolerance', { clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
      ['a fractional tolerance', { clockToleranceSeconds: 0.5 }, 'clockToleranceSeconds'],
      ['a NaN maxTokenBytes', { maxTokenBytes: Number.NaN }, 'maxTokenBytes'],
      ['a negative ttl', { accessTokenTtlSeconds: -5 }, 'accessTokenTtlSeconds'],
      [
        'a negative cache size',
        { verifiedTokenCache: { maxEntries: -1 } },
        'verifiedTokenCache.maxEntries',
      ],
    ])('rejects %s', (_, overrides, message) => {
      expect(resolve(overrides)).toThrow(message);
    });

    it('rejects missing options with a message naming the library', () => {
      expect(() => resolveAuthOptions(undefined as unknown as AuthModuleOptions)).toThrow(
        '@jwt-token/auth: invalid options',
      );
    });
  });
});
