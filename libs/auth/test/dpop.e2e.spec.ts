import type { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';

import { accessTokenHash, DpopNonces } from '../src';
import type { TestTokenFactory } from '../src/testing';
import { type AdapterName, createTestApp } from './test-app';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
/** WebCrypto's CryptoKeyPair (the workspace compiles without the DOM lib). */
type ClientKeyPair = Parameters<typeof oauth.DPoP>[1];

/** A client key pair as oauth4webapi wants it (WebCrypto, non-extractable private key). */
async function clientKeys(): Promise<ClientKeyPair> {
  return (await generateKeyPair('ES256')) as unknown as ClientKeyPair;
}

async function thumbprintOf(keys: { publicKey: unknown }): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(keys.publicKey as never));
}

/** A proof made by hand, for the hostile cases oauth4webapi would never send. */
async function handProof(
  keys: KeyPair,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({
      alg: 'ES256',
      typ: 'dpop+jwt',
      jwk: await exportJWK(keys.publicKey),
      ...header,
    })
    .sign(keys.privateKey);
}

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
    const keys = (await generateKeyPair('ES256', { extractable: true })) as KeyPair;
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
    const keys = (await generateKeyPair('ES256', { extractable: true })) as KeyPair;
    const token = tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const ath = accessTokenHash(token);
    const good = { htm: 'GET', htu: `${base}/me`, ath };
    const other = (await generateKeyPair('ES256', { extractable: true })) as KeyPair;
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

/**
 * The proof oauth4webapi attaches to a request for `url`: captured by a fetch stand-in, so that
 * the independent client builds it while the test delivers it to the local socket.
 */
async function proofFromOauth4webapi(
  dpop: oauth.DPoPHandle,
  token: string,
  url: URL,
): Promise<string> {
  let captured = '';
  await oauth
    .protectedResourceRequest(token, 'GET', url, undefined, null, {
      DPoP: dpop,
      [oauth.customFetch]: async (_url: string, init: RequestInit) => {
        captured = new Headers(init.headers).get('dpop') ?? '';
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    })
    .catch(() => undefined);
  return captured;
}

const PYTHON = '/usr/bin/python3';
const jwcrypto = (() => {
  try {
    return (
      existsSync(PYTHON) &&
      (execFileSync(PYTHON, ['-c', 'import jwcrypto'], { stdio: 'ignore' }), true)
    );
  } catch {
    return false;
  }
})();

(jwcrypto ? describe : describe.skip)(
  'DPoP at a resource server: a proof minted by python3-jwcrypto',
  () => {
    it('is accepted unchanged, and its key thumbprint binds the token', async () => {
      const { app, tokens } = await createTestApp('express');
      try {
        await app.listen(0, '127.0.0.1');
        const base = `http://localhost:${(app.getHttpServer().address() as AddressInfo).port}`;
        const script = `
import json, sys, uuid, time, hashlib, base64
from jwcrypto import jwk, jwt
key = jwk.JWK.generate(kty='EC', crv='P-256')
print(json.dumps({'jkt': key.thumbprint(), 'key': key.export(private_key=True)}))
`;
        const { jkt, key } = JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }));
        const token = tokens.sign({ sub: 'py', cnf: { jkt } });
        const mint = `
import json, sys, uuid, time
from jwcrypto import jwk, jwt
key = jwk.JWK.from_json(sys.argv[1])
claims = {'jti': str(uuid.uuid4()), 'htm': 'GET', 'htu': sys.argv[2], 'iat': int(time.time()), 'ath': sys.argv[3]}
t = jwt.JWT(header={'alg': 'ES256', 'typ': 'dpop+jwt', 'jwk': key.export_public(as_dict=True)}, claims=claims)
t.make_signed_token(key)
print(t.serialize())
`;
        const proof = execFileSync(
          PYTHON,
          ['-c', mint, key, `${base}/me`, accessTokenHash(token)],
          {
            encoding: 'utf8',
          },
        ).trim();
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
