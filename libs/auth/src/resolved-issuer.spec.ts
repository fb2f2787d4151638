import type { AuthModuleOptions } from './interfaces/auth-module-options.interface';
import type { IssuerConfig } from './interfaces/issuer-config.interface';
import { resolveAuthOptions } from './resolved-auth-options';
import { InMemoryKeyStore } from './testing';

const keys = new InMemoryKeyStore('ES256');
const entry = (over: Partial<IssuerConfig> = {}): IssuerConfig => ({
  issuer: 'https://idp.test',
  audience: 'api',
  jwksUri: 'https://idp.test/keys',
  ...over,
});
const resolve = (options: Partial<AuthModuleOptions>) => () =>
  resolveAuthOptions(options as AuthModuleOptions);

describe('resolveAuthOptions with issuers', () => {
  it('puts the top-level issuer first and the issuers after it', () => {
    const options = resolveAuthOptions({
      issuer: 'https://own.test',
      audience: 'api',
      keyStore: keys,
      issuers: [entry()],
    });
    expect(options.issuers.map((i) => [...i.issuers.keys()])).toEqual([
      ['https://own.test'],
      ['https://idp.test'],
    ]);
    expect(options.issuer).toBe('https://own.test');
    expect(options.keySource.kind).toBe('store');
  });

  it('describes the first entry at the top level when there is no own issuer', () => {
    const options = resolveAuthOptions({ issuers: [entry({ audience: ['x', 'y'] })] });
    expect([options.issuer, options.audiences, options.realm]).toEqual([
      'https://idp.test',
      ['x', 'y'],
      'x',
    ]);
  });

  it('fills the defaults of an entry: at+jwt, roles, scope, client_id, aud, ES256', () => {
    const [resolved] = resolveAuthOptions({ issuers: [entry()], clockToleranceSeconds: 9 }).issuers;
    expect([...resolved.headerTypes]).toEqual(['at+jwt']);
    expect([...resolved.algorithms]).toEqual(['ES256']);
    expect(resolved.roles).toEqual([{ path: ['roles'], format: 'array' }]);
    expect(resolved.scope).toEqual([{ path: ['scope'], format: 'space-delimited' }]);
    expect(resolved.clientId).toEqual([['client_id']]);
    expect(resolved.audienceClaim).toBe('aud');
    expect(resolved.clockToleranceSeconds).toBe(9);
  });

  it.each<[string, Partial<AuthModuleOptions>, string]>([
    ['an empty issuers list', { issuers: [] }, 'issuers must be a non-empty list'],
    [
      'a top-level key source without issuer',
      { issuers: [entry()], keyStore: keys },
      'needs issuer',
    ],
    [
      'an entry without a key source',
      { issuers: [entry({ jwksUri: undefined })] },
      'issuers[0]: give exactly one key source',
    ],
    [
      'an entry with two key sources',
      { issuers: [entry({ keyStore: keys })] },
      'issuers[0]: give exactly one',
    ],
    ['an entry without audience', { issuers: [entry({ audience: [] })] }, 'issuers[0].audience'],
    ['an HMAC algorithm', { issuers: [entry({ algorithms: ['HS256' as never] })] }, 'not allowed'],
    [
      'an unknown typ',
      { issuers: [entry({ tokenType: { headerTypes: ['id+jwt' as never] } })] },
      'unknown typ',
    ],
    [
      'an ftp x509Uri',
      { issuers: [entry({ jwksUri: undefined, x509Uri: 'ftp://x' })] },
      'x509Uri must be http(s)',
    ],
    ['an empty claim path', { issuers: [entry({ claims: { roles: [[]] } })] }, 'empty claim path'],
    [
      'an unknown format',
      { issuers: [entry({ claims: { roles: [{ path: 'r', format: 'csv' as never }] } })] },
      'unknown format',
    ],
    [
      'a duplicate issuer',
      { issuers: [entry(), entry({ issuer: ['https://x.test', 'https://idp.test'] })] },
      'configured twice',
    ],
    [
      'the own issuer twice',
      { issuer: 'https://idp.test', audience: 'a', keyStore: keys, issuers: [entry()] },
      'configured twice',
    ],
  ])('rejects %s', (_, options, message) => {
    expect(resolve(options)).toThrow(message);
  });
});
