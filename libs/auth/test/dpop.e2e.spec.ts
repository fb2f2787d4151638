import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';

import { accessTokenHash, DpopNonces } from '../src';
import type { TestTokenFactory } from '../src/testing';
import {
  clientKeys,
  extractableKeys,
  handProof,
  jwcryptoAvailable,
  jwcryptoKey,
  jwcryptoProof,
  type KeyPair,
  proofFromOauth4webapi,
  thumbprintOf,
} from './dpop-proofs';
import { type AdapterName, createTestApp } from './test-app';

describe.each<AdapterName>(['express', 'fastify'])('DPoP at a resource server (%s)', (adapter) => {
  let app: INestApplication;
  let tokens: TestTokenFactory;
  let base: string;
  const client = {};

  beforeAll(async () => {
    ({ app, tokens } = await createTestApp(adapter));
    await app.listen(0, '127.0.0.1');
    base = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  const get = (path: string, headers: Record<string, string>) =>
    fetch(`${base}${path}`, { headers });

  it("accepts a bound token with oauth4webapi's proofs, a fresh one per request", async () => {
    const keys = await clientKeys();
    const token = tokens.sign({
      sub: 'u1',
      roles: ['user'],
      cnf: { jkt: await thumbprintOf(keys) },
    });
    const dpop = oauth.DPoP(client, keys);
    for (let i = 0; i < 3; i += 1) {
      const res = await oauth.protectedResourceRequest(
        token,
        'GET',
        new URL(`${base}/me?page=${i}`),
        undefined,
        null,
        {
          DPoP: dpop,
          [oauth.allowInsecureRequests]: true,
        },
      );
      expect(res.status).toBe(200);
      expect(((await res.json()) as { sub: string }).sub).toBe('u1');
    }
  });

  it('refuses a bound token sent as Bearer, with a DPoP challenge (RFC 9449 §7.2)', async () => {
    const keys = await clientKeys();
    const token = tokens.sign({
      sub: 'u1',
      roles: ['user'],
      cnf: { jkt: await thumbprintOf(keys) },
    });
    const res = await get('/me', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^DPoP realm="[^"]*", algs="ES256 [^"]+", error="invalid_token"/,
    );
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
    // The same for a cnf that cannot be read: never a bearer token.
    const odd = tokens.sign({ sub: 'u1', cnf: 'x' as never });
    expect((await get('/me', { authorization: `Bearer ${odd}` })).status).toBe(401);
  });

  it('refuses an unbound token sent as DPoP, and a DPoP request without a proof', async () => {
    const keys = await extractableKeys();
    const plain = tokens.sign({ sub: 'u1' });
    const unbound = await get('/me', {
      authorization: `DPoP ${plain}`,
      dpop: await handProof(keys, { htm: 'GET', htu: `${base}/me`, ath: accessTokenHash(plain) }),
    });
    expect(unbound.status).toBe(401);
    expect(unbound.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);
    const bound = tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const missing = await get('/me', { authorization: `DPoP ${bound}` });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
    expect(((await missing.json()) as { error: string }).error).toBe('invalid_dpop_proof');
  });

  it('refuses hostile proofs: wrong htm or htu, stale, another key, wrong ath, a replay', async () => {
    const keys = await extractableKeys();
    const token = tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const ath = accessTokenHash(token);
    const good = { htm: 'GET', htu: `${base}/me`, ath };
    const other = await extractableKeys();
    const cases: Array<[string, Promise<string>]> = [
      ['POST for a GET', handProof(keys, { ...good, htm: 'POST' })],
      ['another path', handProof(keys, { ...good, htu: `${base}/stats` })],
      ['another origin', handProof(keys, { ...good, htu: 'http://evil.example/me' })],
      ['a stale iat', handProof(keys, { ...good, iat: Math.floor(Date.now() / 1000) - 600 })],
      ['a future iat', handProof(keys, { ...good, iat: Math.floor(Date.now() / 1000) + 600 })],
      ['another key', handProof(other, good)],
      ["another token's ath", handProof(keys, { ...good, ath: accessTokenHash('another token') })],
      ['no ath', handProof(keys, { htm: 'GET', htu: `${base}/me` })],
      ['a private key in jwk', handProof(keys, good, { jwk: await exportJWK(keys.privateKey) })],
    ];
    for (const [name, proof] of cases) {
      const res = await get('/me', { authorization: `DPoP ${token}`, dpop: await proof });
      expect([name, res.status]).toEqual([name, 401]);
      expect(res.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
    }
    const once = await handProof(keys, good);
    expect((await get('/me', { authorization: `DPoP ${token}`, dpop: once })).status).toBe(200);
    expect((await get('/me', { authorization: `DPoP ${token}`, dpop: once })).status).toBe(401);
    const garbage = await get('/me', { authorization: `DPoP ${token}`, dpop: 'not.a.proof' });
    expect(garbage.status).toBe(401);
  });

  it('still applies roles and scopes to a DPoP request', async () => {
    const keys = await clientKeys();
    const token = tokens.sign({
      sub: 'u1',
      roles: ['user'],
      cnf: { jkt: await thumbprintOf(keys) },
    });
    const res = await oauth.protectedResourceRequest(
      token,
      'POST',
      new URL(`${base}/articles`),
      undefined,
      null,
      {
        DPoP: oauth.DPoP(client, keys),
        [oauth.allowInsecureRequests]: true,
      },
    );
    expect(res.status).toBe(403);
  });
});

describe('DPoP at a resource server: nonces and DPoP-only', () => {
  let app: INestApplication;
  let tokens: TestTokenFactory;
  let base: string;

  beforeAll(async () => {
    ({ app, tokens } = await createTestApp('fastify', {
      dpop: {
        required: true,
        nonces: new DpopNonces('n'.repeat(32)),
        publicUrl: 'https://api.example',
      },
    }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('answers use_dpop_nonce with a DPoP-Nonce; a proof carrying that nonce is accepted', async () => {
    const keys = await clientKeys();
    const token = tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const dpop = oauth.DPoP({}, keys);
    // Without a proof: refused. The proof's htu is the public URL clients use (publicUrl), not
    // this socket's address; oauth4webapi builds it, the test delivers it to the local socket.
    const bare = await fetch(`${base}/me`, { headers: { authorization: `DPoP ${token}` } });
    expect(bare.status).toBe(401);
    const url = new URL('https://api.example/me');
    let res = await fetch(`${base}/me`, {
      headers: {
        authorization: `DPoP ${token}`,
        dpop: await proofFromOauth4webapi(dpop, token, url),
      },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="use_dpop_nonce"/);
    const nonce = res.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const keysJose = keys as unknown as KeyPair;
    res = await fetch(`${base}/me`, {
      headers: {
        authorization: `DPoP ${token}`,
        dpop: await handProof(keysJose, {
          htm: 'GET',
          htu: url.href,
          ath: accessTokenHash(token),
          nonce,
        }),
      },
    });
    expect(res.status).toBe(200);
  });

  it('refuses any Bearer token when DPoP is required', async () => {
    const res = await fetch(`${base}/me`, {
      headers: { authorization: `Bearer ${tokens.sign({ sub: 'u1' })}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP /);
  });
});

describe.each<AdapterName>(['express', 'fastify'])(
  'DPoP at a resource server (%s): a fresher nonce on a successful answer (RFC 9449 §8.2)',
  (adapter) => {
    let app: INestApplication;
    let tokens: TestTokenFactory;
    let base: string;
    let nonceTime = Date.now();

    beforeAll(async () => {
      const nonces = new DpopNonces('n'.repeat(32), 300, () => nonceTime);
      ({ app, tokens } = await createTestApp(adapter, { dpop: { nonces } }));
      await app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    });
    afterAll(() => app.close());

    it('hands out the next nonce while the old one still works, and none while it is current', async () => {
      const keys = await extractableKeys();
      const token = tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const get = async (nonce?: string) =>
        fetch(`${base}/me`, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: await handProof(keys, {
              htm: 'GET',
              htu: `${base}/me`,
              ath: accessTokenHash(token),
              ...(nonce === undefined ? {} : { nonce }),
            }),
          },
        });
      const first = (await get()).headers.get('dpop-nonce') as string;
      const current = await get(first);
      expect(current.status).toBe(200);
      expect(current.headers.get('dpop-nonce')).toBeNull();
      // The window moves on: the old nonce is still accepted, and the answer names the new one.
      nonceTime += 300_000;
      const moved = await get(first);
      expect(moved.status).toBe(200);
      const next = moved.headers.get('dpop-nonce');
      expect(next).toEqual(expect.any(String));
      expect(next).not.toBe(first);
      const withNext = await get(next as string);
      expect(withNext.status).toBe(200);
      expect(withNext.headers.get('dpop-nonce')).toBeNull();
    });
  },
);

(jwcryptoAvailable ? describe : describe.skip)(
  'DPoP at a resource server: a proof minted by python3-jwcrypto',
  () => {
    it('is accepted unchanged, and its key thumbprint binds the token', async () => {
      const { app, tokens } = await createTestApp('express');
      try {
        await app.listen(0, '127.0.0.1');
        const base = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
        const { jkt, key } = jwcryptoKey();
        const token = tokens.sign({ sub: 'py', cnf: { jkt } });
        const proof = jwcryptoProof(key, 'GET', `${base}/me`, accessTokenHash(token));
        const res = await fetch(`${base}/me`, {
          headers: { authorization: `DPoP ${token}`, dpop: proof },
        });
        expect(res.status).toBe(200);
      } finally {
        await app.close();
      }
    });
  },
);
