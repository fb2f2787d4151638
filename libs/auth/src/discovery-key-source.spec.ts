import { Logger } from '@nestjs/common';

import { IdpServer } from '../test/idp-server';
import { ProviderKey, times } from '../test/issuer-tokens';
import { createModuleVerifier } from '../test/multi-issuer-harness';
import { codeOf } from '../test/verifier-harness';
import { DiscoveryKeySource, metadataUrls } from './discovery-key-source';
import { systemClock } from './interfaces/auth-clock.interface';

const CLIENT = { timeoutMs: 2000, cooldownMs: 0, maxAgeMs: 600000 };

describe(DiscoveryKeySource.name, () => {
  let idp: IdpServer;
  const key = new ProviderKey('RS256', { typ: 'at+jwt' });

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    idp = await IdpServer.start();
  });

  afterEach(async () => {
    await idp.stop();
    jest.restoreAllMocks();
  });

  const source = (issuer: string) =>
    new DiscoveryKeySource(issuer, CLIENT, new Set(['RS256']), systemClock);

  it('builds the OIDC and the RFC 8414 metadata URLs, the latter with the path after the well-known part', () => {
    expect(metadataUrls('https://id.test/realms/x/')).toEqual([
      'https://id.test/realms/x/.well-known/openid-configuration',
      'https://id.test/.well-known/oauth-authorization-server/realms/x',
    ]);
    expect(metadataUrls('https://id.test')).toEqual([
      'https://id.test/.well-known/openid-configuration',
      'https://id.test/.well-known/oauth-authorization-server',
    ]);
  });

  it('finds the keys through openid-configuration and verifies with them', async () => {
    const issuer = `${idp.origin}/tenant`;
    idp
      .json('/tenant/.well-known/openid-configuration', () => ({
        issuer,
        jwks_uri: `${idp.origin}/keys`,
      }))
      .json('/keys', () => key.jwks());
    const { verifier } = createModuleVerifier({
      issuers: [{ issuer, audience: 'api', algorithms: ['RS256'], discovery: true }],
    });
    const principal = await verifier.verify(
      key.sign({ iss: issuer, aud: 'api', sub: 'u1', ...times() }),
    );
    expect(principal.issuer).toBe(issuer);
    expect(idp.hitsOf('/keys')).toBe(1);
  });

  it('falls back to RFC 8414 authorization server metadata', async () => {
    const issuer = `${idp.origin}/as`;
    idp
      .json('/.well-known/oauth-authorization-server/as', () => ({
        issuer,
        jwks_uri: `${idp.origin}/as-keys`,
      }))
      .json('/as-keys', () => key.jwks());
    const keys = source(issuer);
    expect(await keys.getKey(key.kid)).toBeDefined();
    expect(idp.hitsOf('/as/.well-known/openid-configuration')).toBe(1);
    expect(keys.discoveredJwksUri).toBe(`${idp.origin}/as-keys`);
  });

  it.each([
    [
      'another issuer',
      (origin: string) => ({ issuer: `${origin}/other`, jwks_uri: `${origin}/k` }),
    ],
    [
      'the issuer with a trailing slash',
      (origin: string) => ({ issuer: `${origin}/t/`, jwks_uri: `${origin}/k` }),
    ],
    ['no jwks_uri', (origin: string) => ({ issuer: `${origin}/t` })],
    [
      'a file: jwks_uri',
      (origin: string) => ({ issuer: `${origin}/t`, jwks_uri: 'file:///etc/passwd' }),
    ],
    ['an array', () => []],
  ])('refuses a document naming %s, and knows no key', async (_, document) => {
    const issuer = `${idp.origin}/t`;
    idp
      .json('/t/.well-known/openid-configuration', () => document(idp.origin))
      .json('/k', () => key.jwks());
    // Even with correct RFC 8414 metadata behind it: a wrong document is not a miss.
    idp.json('/.well-known/oauth-authorization-server/t', () => ({
      issuer,
      jwks_uri: `${idp.origin}/k`,
    }));
    const keys = source(issuer);
    expect(await keys.getKey(key.kid)).toBeUndefined();
    expect(idp.hitsOf('/k')).toBe(0);
  });

  it('refuses an https issuer whose metadata downgrades the keys to http', async () => {
    const keys = source('https://127.0.0.1:1/never');
    // The issuer is unreachable; the check itself is exercised through jwksUriOf.
    expect(() =>
      (keys as unknown as { jwksUriOf(b: unknown, u: string): string }).jwksUriOf(
        { issuer: 'https://127.0.0.1:1/never', jwks_uri: 'http://127.0.0.1:1/keys' },
        'u',
      ),
    ).toThrow('downgrades');
  });

  it('fails closed while the issuer is down, and recovers once it answers', async () => {
    const issuer = `${idp.origin}/t`;
    const { verifier } = createModuleVerifier({
      issuers: [
        {
          issuer,
          audience: 'api',
          algorithms: ['RS256'],
          discovery: true,
          jwks: { cooldownMs: 0 },
        },
      ],
    });
    const token = key.sign({ iss: issuer, aud: 'api', sub: 'u1', ...times() });
    expect(await codeOf(verifier.verify(token))).toBe('ERR_KID_UNKNOWN');
    idp
      .json('/t/.well-known/openid-configuration', () => ({ issuer, jwks_uri: `${idp.origin}/k` }))
      .json('/k', () => key.jwks());
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the failure back-off
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });

  it('refuses discovery: true for an issuer that has no single identifier', () => {
    expect(() =>
      createModuleVerifier({
        issuers: [
          { issuer: ['https://a.test', 'https://b.test'], audience: 'api', discovery: true },
        ],
      }),
    ).toThrow('discovery');
  });
});
