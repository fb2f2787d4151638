import { Logger } from '@nestjs/common';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import { JwksServer, type Responder } from '../test/jwks-server';
import { AUDIENCE, codeOf, FakeClock, ISSUER } from '../test/verifier-harness';
import type { JwksClientOptions } from './interfaces/auth-module-options.interface';
import { JwksKeySource } from './jwks-key-source';
import { resolveAuthOptions } from './resolved-auth-options';
import { InMemoryKeyStore, TestTokenFactory } from './testing';
import { TokenVerifier } from './token-verifier';
import { VerifiedTokenCache } from './verified-token.cache';

describe(JwksKeySource.name, () => {
  let server: JwksServer;
  let keys: InMemoryKeyStore;
  let tokens: TestTokenFactory;
  let clock: FakeClock;
  let source: JwksKeySource;
  let verifier: TokenVerifier;

  /** A verifier over a JwksKeySource pointed at `server`, as AuthModule builds it. */
  function setup(jwks: JwksClientOptions = {}): void {
    clock = new FakeClock();
    const options = resolveAuthOptions({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: server.url,
      jwks,
      clock,
    });
    if (options.keySource.kind !== 'jwks') throw new Error('expected a jwks key source');
    source = new JwksKeySource(
      options.keySource.uri,
      options.keySource.client,
      options.algorithms,
      clock,
    );
    verifier = new TokenVerifier(
      options,
      source,
      new VerifiedTokenCache(options.cacheMaxEntries, source, clock),
    );
  }

  const unknownKidToken = () => tokens.sign({}, { header: { kid: randomUUID() } });
  const jwk = () => keys.toJwks().keys[0];

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    keys = new InMemoryKeyStore('ES256');
    tokens = new TestTokenFactory(keys, ISSUER, AUDIENCE);
    server = await JwksServer.start();
    server.serveJson(() => keys.toJwks());
    setup();
  });

  afterEach(async () => {
    await server.stop();
    jest.restoreAllMocks();
  });

  it('fetches the key set on first need, and parses each key once', async () => {
    expect(server.requests).toBe(0);
    await verifier.verify(tokens.sign({ sub: 'a' }));
    await verifier.verify(tokens.sign({ sub: 'b' }));
    expect(server.requests).toBe(1);
    const kid = keys.signingKey.kid;
    expect(await source.getKey(kid)).toBe(await source.getKey(kid));
    expect(source.hasKey(kid)).toBe(true);
  });

  it('refreshes exactly once for a token with a new kid after rotation', async () => {
    const old = tokens.sign();
    await verifier.verify(old);
    keys.rotate();
    clock.advance(30);
    await verifier.verify(tokens.sign({ sub: 'new-1' }));
    await verifier.verify(tokens.sign({ sub: 'new-2' }));
    expect(server.requests).toBe(2);
    await expect(verifier.verify(old)).resolves.toBeDefined();
  });

  it('shares one fetch between concurrent requests with unknown kids', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => codeOf(verifier.verify(unknownKidToken()))),
    );
    expect(new Set(results)).toEqual(new Set(['ERR_KID_UNKNOWN']));
    expect(server.requests).toBe(1);
  });

  it('fetches at most once per cooldown however many unknown kids arrive', async () => {
    await verifier.verify(tokens.sign());
    for (let i = 0; i < 50; i += 1)
      expect(await codeOf(verifier.verify(unknownKidToken()))).toBe('ERR_KID_UNKNOWN');
    expect(server.requests).toBe(1);
    clock.advance(29);
    await codeOf(verifier.verify(unknownKidToken()));
    expect(server.requests).toBe(1);
    clock.advance(1);
    await codeOf(verifier.verify(unknownKidToken()));
    expect(server.requests).toBe(2);
  });

  it('keeps verifying with the keys it has when the issuer is down', async () => {
    await verifier.verify(tokens.sign({ sub: 'a' }));
    await server.stop();
    clock.advance(31);
    expect(await codeOf(verifier.verify(unknownKidToken()))).toBe('ERR_KID_UNKNOWN');
    await expect(verifier.verify(tokens.sign({ sub: 'b' }))).resolves.toMatchObject({ sub: 'b' });
    server = await JwksServer.start();
  });

  describe('a bad JWKS response', () => {
    const huge = JSON.stringify({ keys: [], pad: 'x'.repeat(600 * 1024) });
    it.each<[string, Responder]>([
      ['a 500', (_, res) => res.writeHead(500).end('oops')],
      ['invalid JSON', (_, res) => res.writeHead(200).end('{"keys": [')],
      ['JSON that is not a key set', (_, res) => res.writeHead(200).end('{"keys": "all of them"}')],
      ['JSON null', (_, res) => res.writeHead(200).end('null')],
      [
        'a huge body',
        (_, res) => res.writeHead(200, { 'content-length': Buffer.byteLength(huge) }).end(huge),
      ],
      ['a huge chunked body', (_, res) => res.writeHead(200).end(huge)],
      ['no answer within timeoutMs', () => undefined],
      [
        'a redirect, even to a valid key set',
        (req, res) =>
          req.url === '/moved'
            ? res.writeHead(200).end(JSON.stringify(keys.toJwks()))
            : res.writeHead(302, { location: '/moved' }).end(),
      ],
    ])(
      'is survived: %s leaves unknown kids refused and the next fetch recovers',
      async (_, respond) => {
        setup({ timeoutMs: 200 });
        server.respond = respond;
        expect(await codeOf(verifier.verify(tokens.sign()))).toBe('ERR_KID_UNKNOWN');
        server.serveJson(() => keys.toJwks());
        clock.advance(1);
        await expect(verifier.verify(tokens.sign())).resolves.toBeDefined();
        expect(server.requests).toBe(2);
      },
    );

    it('does not replace the keys it has', async () => {
      await verifier.verify(tokens.sign({ sub: 'a' }));
      server.respond = (_, res) => res.writeHead(500).end();
      clock.advance(31);
      await codeOf(verifier.verify(unknownKidToken()));
      expect(server.requests).toBe(2);
      await expect(verifier.verify(tokens.sign({ sub: 'b' }))).resolves.toMatchObject({ sub: 'b' });
    });
  });

  describe('key filtering', () => {
    it.each<[string, () => Record<string, unknown>]>([
      ['use: enc', () => ({ ...jwk(), use: 'enc' })],
      ['a declared alg the key cannot serve', () => ({ ...jwk(), alg: 'ES384' })],
      ['a declared HMAC alg', () => ({ ...jwk(), alg: 'HS256' })],
      ['kty oct', () => ({ kty: 'oct', k: 'c2VjcmV0', kid: keys.signingKey.kid })],
      ['an RSA key where only ES256 is allowed', () => ({ ...rsaJwk(), kid: keys.signingKey.kid })],
    ])('ignores a key with %s', async (_, entry) => {
      server.serveJson(() => ({ keys: [entry()] }));
      expect(await codeOf(verifier.verify(tokens.sign()))).toBe('ERR_KID_UNKNOWN');
    });

    it('keeps the usable keys of a set that also holds junk', async () => {
      const junk = [
        null,
        42,
        'key',
        [],
        { kid: 7 },
        { kid: 'broken', kty: 'EC', crv: 'P-256' },
        { kid: 'odd', kty: 'XYZ' },
      ];
      server.serveJson(() => ({ keys: [...junk, jwk()] }));
      await expect(verifier.verify(tokens.sign())).resolves.toBeDefined();
    });

    it('uses only the public half of a served private JWK', async () => {
      const privateJwk = keys.signingKey.privateKey.export({ format: 'jwk' });
      expect(privateJwk.d).toBeDefined();
      server.serveJson(() => ({ keys: [{ ...privateJwk, kid: keys.signingKey.kid, use: 'sig' }] }));
      await expect(verifier.verify(tokens.sign())).resolves.toBeDefined();
      expect((await source.getKey(keys.signingKey.kid))?.key.type).toBe('public');
    });
  });

  it('stops trusting a key that left the set at the next max-age refresh, cached tokens included', async () => {
    setup({ maxAgeMs: 60_000, cooldownMs: 1000 });
    const oldKid = keys.signingKey.kid;
    const [cached, staleA, staleB] = ['cached', 'a', 'b'].map((sub) => tokens.sign({ sub }));
    await verifier.verify(cached);
    keys.rotate();
    keys.remove(oldKid);
    clock.advance(61);
    // Past max age the last set still serves while the first lookup refreshes it in the background...
    await expect(verifier.verify(staleA)).resolves.toMatchObject({ sub: 'a' });
    await server.waitForRequests(2);
    // ...and a request for an unknown kid within the cooldown waits for that refresh, starting none.
    await codeOf(verifier.verify(unknownKidToken()));
    expect(server.requests).toBe(2);
    expect(source.hasKey(oldKid)).toBe(false);
    for (const token of [cached, staleA, staleB])
      expect(await codeOf(verifier.verify(token))).toBe('ERR_KID_UNKNOWN');
    await expect(verifier.verify(tokens.sign({ sub: 'new' }))).resolves.toMatchObject({
      sub: 'new',
    });
  });

  it.each([
    ['no', null],
    ['an empty', ''],
    ['an overlong', 'k'.repeat(300)],
  ])('never fetches for a token with %s kid', async (_, kid) => {
    expect(await codeOf(verifier.verify(tokens.sign({}, { header: { kid } })))).toBe(
      'ERR_KID_UNKNOWN',
    );
    expect(server.requests).toBe(0);
  });

  it.each(['jku', 'x5u'])('never fetches the URL in a token %s header', async (header) => {
    const evil = await JwksServer.start();
    evil.serveJson(() => keys.toJwks());
    try {
      const token = tokens.sign({}, { header: { [header]: evil.url, kid: randomUUID() } });
      expect(await codeOf(verifier.verify(token))).toBe('ERR_HEADER_FORBIDDEN');
      expect(evil.requests).toBe(0);
      expect(server.requests).toBe(0);
    } finally {
      await evil.stop();
    }
  });
});

function rsaJwk(): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...publicKey.export({ format: 'jwk' }), use: 'sig' };
}
