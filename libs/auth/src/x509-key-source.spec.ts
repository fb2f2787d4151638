import { Logger } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';

import { IdpServer } from '../test/idp-server';
import { times } from '../test/issuer-tokens';
import { signJws } from './testing/sign-jws';
import { createModuleVerifier } from '../test/multi-issuer-harness';
import { codeOf, FakeClock } from '../test/verifier-harness';
import { X509_CERT, X509_KEY } from '../test/x509-fixture';
import { cacheControlMaxAgeMs, X509KeySource } from './x509-key-source';

const CLIENT = { timeoutMs: 2000, cooldownMs: 0, maxAgeMs: 600000 };

describe(X509KeySource.name, () => {
  let idp: IdpServer;
  let clock: FakeClock;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    idp = await IdpServer.start();
    clock = new FakeClock();
  });

  afterEach(async () => {
    await idp.stop();
    jest.restoreAllMocks();
  });

  const source = () => new X509KeySource(`${idp.origin}/x509`, CLIENT, new Set(['RS256']), clock);

  it('reads max-age from Cache-Control, and nothing from no-cache or junk', () => {
    expect(cacheControlMaxAgeMs('public, max-age=19302, must-revalidate, no-transform')).toBe(
      19302000,
    );
    expect(cacheControlMaxAgeMs('max-age=999999999')).toBe(24 * 3600 * 1000);
    expect(cacheControlMaxAgeMs('no-cache')).toBe(0);
    expect(cacheControlMaxAgeMs('s-maxage=5')).toBeUndefined();
    expect(cacheControlMaxAgeMs(null)).toBeUndefined();
  });

  it('serves the certificate keys by kid; a token signed by the certificate key verifies', async () => {
    idp.json('/x509', () => ({ k1: X509_CERT, bad: 'not a cert', n: 5 }));
    const keys = source();
    const key = await keys.getKey('k1');
    expect(key?.algorithms.has('RS256')).toBe(true);
    expect(keys.hasKey('bad') || keys.hasKey('n')).toBe(false);
    const { verifier } = createModuleVerifier({
      issuers: [
        {
          issuer: 'https://securetoken.test/p',
          audience: 'p',
          algorithms: ['RS256'],
          x509Uri: `${idp.origin}/x509`,
          tokenType: { headerTypes: ['JWT'], idTokensAsBearers: true },
        },
      ],
    });
    const claims = { iss: 'https://securetoken.test/p', aud: 'p', sub: 'u', ...times() };
    const token = signJws(X509_KEY, 'RS256', { alg: 'RS256', kid: 'k1', typ: 'JWT' }, claims);
    expect((await verifier.verify(token)).sub).toBe('u');
    const unknown = signJws(X509_KEY, 'RS256', { alg: 'RS256', kid: 'bad', typ: 'JWT' }, claims);
    expect(await codeOf(verifier.verify(unknown))).toBe('ERR_KID_UNKNOWN');
  });

  it('refreshes when Cache-Control max-age has passed, not before', async () => {
    idp.json('/x509', () => ({ k1: X509_CERT }), { 'cache-control': 'public, max-age=60' });
    const keys = source();
    await keys.getKey('k1');
    clock.advance(59);
    keys.peekKey('k1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(idp.hitsOf('/x509')).toBe(1);
    clock.advance(2);
    keys.peekKey('k1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(idp.hitsOf('/x509')).toBe(2);
  });

  it('leaves out a certificate outside its validity period', async () => {
    idp.json('/x509', () => ({ k1: X509_CERT }));
    clock.ms = Date.parse(new X509Certificate(X509_CERT).validTo) + 1000;
    expect(await source().getKey('k1')).toBeUndefined();
  });

  it('refuses a body that is not a map', async () => {
    idp.json('/x509', () => [X509_CERT]);
    expect(await source().getKey('0')).toBeUndefined();
  });
});
