import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

import { DpopError } from './dpop-error';
import { DpopNonces } from './dpop-nonces';
import { accessTokenHash, DpopProofVerifier, normalizeHtu } from './dpop-proof.verifier';
import { MemoryDpopReplayStore } from './dpop-replay-store';

const URL_ = 'https://api.example/articles';
const NOW = 1_800_000_000_000;

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

async function proof(
  keys: KeyPair,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  alg = 'ES256',
): Promise<string> {
  const jwk = await exportJWK(keys.publicKey);
  return new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW / 1000, ...claims })
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk, ...header })
    .sign(keys.privateKey);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof DpopError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

describe(DpopProofVerifier.name, () => {
  let keys: KeyPair;
  let verifier: DpopProofVerifier;
  const request = { method: 'GET', url: URL_ };

  beforeAll(async () => {
    keys = await generateKeyPair('ES256', { extractable: true });
  });
  beforeEach(() => {
    verifier = new DpopProofVerifier({ now: () => NOW });
  });

  it('accepts a proof of this request and returns its key thumbprint (RFC 7638)', async () => {
    const verified = await verifier.verify(await proof(keys), request);
    expect(verified.jkt).toBe(await calculateJwkThumbprint(await exportJWK(keys.publicKey)));
  });

  it.each([
    ['another method', { htm: 'POST' }],
    ['another URL', { htu: 'https://api.example/other' }],
    ['another host', { htu: 'https://evil.example/articles' }],
    ['an iat in the future', { iat: NOW / 1000 + 30 }],
    ['a stale iat', { iat: NOW / 1000 - 120 }],
    ['no iat', { iat: undefined }],
    ['no jti', { jti: undefined }],
    ['a numeric htm', { htm: 1 }],
  ])('refuses %s', async (_, claims) => {
    expect(await codeOf(verifier.verify(await proof(keys, claims), request))).toMatch(
      /^invalid_dpop_proof/,
    );
  });

  it('compares htu normalised, without query or fragment', async () => {
    const variant = await proof(keys, { htu: 'HTTPS://API.EXAMPLE:443/articles' });
    await expect(
      verifier.verify(variant, { method: 'get', url: `${URL_}?page=2#top` }),
    ).resolves.toBeDefined();
    expect(normalizeHtu('javascript:alert(1)')).toBeNull();
    expect(normalizeHtu('https://a.example/x/../y')).toBe('https://a.example/y');
  });

  it('reads a ws:/wss: htu as its HTTP twin on a WebSocket upgrade only', async () => {
    expect(normalizeHtu('wss://a.example:443/live', true)).toBe('https://a.example/live');
    expect(normalizeHtu('ws://a.example:8080/live', true)).toBe('http://a.example:8080/live');
    expect(normalizeHtu('wss://a.example/live')).toBeNull();
    const upgrade = { method: 'GET', url: 'https://api.example/live' };
    const wss = await proof(keys, { htm: 'GET', htu: 'wss://api.example/live' });
    await expect(verifier.verify(wss, { ...upgrade, webSocket: true })).resolves.toBeDefined();
    const again = await proof(keys, { htm: 'GET', htu: 'wss://api.example/live' });
    expect(await codeOf(verifier.verify(again, upgrade))).toMatch(/another URL/);
    // The scheme still counts: ws (plain) is not the twin of https.
    const plain = await proof(keys, { htm: 'GET', htu: 'ws://api.example/live' });
    expect(await codeOf(verifier.verify(plain, { ...upgrade, webSocket: true }))).toMatch(
      /another URL/,
    );
  });

  it('refuses a replayed jti, but not the same jti from another key', async () => {
    const jti = randomUUID();
    await verifier.verify(await proof(keys, { jti }), request);
    expect(await codeOf(verifier.verify(await proof(keys, { jti }), request))).toBe(
      'invalid_dpop_proof: the DPoP proof was used before',
    );
    const other = await generateKeyPair('ES256', { extractable: true });
    await expect(verifier.verify(await proof(other, { jti }), request)).resolves.toBeDefined();
  });

  it('shares replay detection between verifiers through one store (two instances)', async () => {
    const store = new MemoryDpopReplayStore(() => NOW);
    const a = new DpopProofVerifier({ now: () => NOW, replayStore: store });
    const b = new DpopProofVerifier({ now: () => NOW, replayStore: store });
    const once = await proof(keys);
    await a.verify(once, request);
    expect(await codeOf(b.verify(once, request))).toMatch(/used before/);
  });

  it('checks ath against the access token, and cnf.jkt against the key', async () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.e30.sig';
    const bound = await proof(keys, { ath: accessTokenHash(token) });
    const jkt = await calculateJwkThumbprint(await exportJWK(keys.publicKey));
    await expect(
      verifier.verify(bound, { ...request, accessToken: token, expectedJkt: jkt }),
    ).resolves.toBeDefined();
    expect(
      await codeOf(
        verifier.verify(await proof(keys, { ath: 'x' }), { ...request, accessToken: token }),
      ),
    ).toMatch(/ath/);
    expect(
      await codeOf(verifier.verify(await proof(keys), { ...request, accessToken: token })),
    ).toMatch(/ath/);
    expect(
      await codeOf(
        verifier.verify(await proof(keys), { ...request, expectedJkt: 'another-thumbprint' }),
      ),
    ).toMatch(/another key/);
  });

  it('refuses private key material in jwk, a symmetric key, HS256 and alg none', async () => {
    const privateJwk: JWK = await exportJWK(keys.privateKey);
    expect(
      await codeOf(verifier.verify(await proof(keys, {}, { jwk: privateJwk }), request)),
    ).toMatch(/public key/);
    const secret = new TextEncoder().encode('a'.repeat(32));
    const hs = await new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW / 1000 })
      .setProtectedHeader({
        alg: 'HS256',
        typ: 'dpop+jwt',
        jwk: { kty: 'oct', k: 'YWFh' } as never,
      })
      .sign(secret);
    expect(await codeOf(verifier.verify(hs, request))).toMatch(/^invalid_dpop_proof/);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: await exportJWK(keys.publicKey) })).toString('base64url')}.${Buffer.from(JSON.stringify({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW / 1000 })).toString('base64url')}.`;
    expect(await codeOf(verifier.verify(none, request))).toMatch(/^invalid_dpop_proof/);
  });

  it('refuses another typ, a signature by another key, a missing jwk, garbage and two headers', async () => {
    expect(await codeOf(verifier.verify(await proof(keys, {}, { typ: 'JWT' }), request))).toMatch(
      /^invalid/,
    );
    const other = await generateKeyPair('ES256', { extractable: true });
    const swapped = await proof(keys, {}, { jwk: await exportJWK(other.publicKey) });
    expect(await codeOf(verifier.verify(swapped, request))).toMatch(/^invalid/);
    const noJwk = await new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW / 1000 })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt' })
      .sign(keys.privateKey);
    expect(await codeOf(verifier.verify(noJwk, request))).toMatch(/jwk/);
    for (const garbage of ['', 'a.b', 'not a jws', 'x'.repeat(9000), '!!.!!.!!'])
      expect(await codeOf(verifier.verify(garbage, request))).toMatch(/^invalid/);
    expect(await codeOf(verifier.verify([await proof(keys), await proof(keys)], request))).toMatch(
      /exactly one/,
    );
  });

  it('demands the server nonce when nonces are on, and accepts the previous window', async () => {
    let now = NOW;
    const nonces = new DpopNonces('s'.repeat(32), 300, () => now);
    const strict = new DpopProofVerifier({ now: () => now, nonces });
    expect(await codeOf(strict.verify(await proof(keys), request))).toMatch(/^use_dpop_nonce/);
    expect(await codeOf(strict.verify(await proof(keys, { nonce: 'made-up' }), request))).toMatch(
      /^use_dpop_nonce/,
    );
    const nonce = nonces.current();
    now += 300_000;
    await expect(
      strict.verify(await proof(keys, { nonce, iat: now / 1000 }), request),
    ).resolves.toBeDefined();
    now += 300_000;
    expect(
      await codeOf(strict.verify(await proof(keys, { nonce, iat: now / 1000 }), request)),
    ).toMatch(/^use_dpop_nonce/);
    // Another instance with the same secret accepts it: nothing is stored.
    expect(new DpopNonces('s'.repeat(32), 300, () => now).isValid(nonces.current())).toBe(true);
  });

  it('accepts RS256, PS256 and EdDSA proofs, and refuses an algorithm left out of the allowlist', async () => {
    for (const alg of ['RS256', 'PS256', 'EdDSA']) {
      const pair = await generateKeyPair(alg, { extractable: true });
      await expect(verifier.verify(await proof(pair, {}, {}, alg), request)).resolves.toBeDefined();
    }
    const esOnly = new DpopProofVerifier({ now: () => NOW, algorithms: ['ES256'] });
    const rsa = await generateKeyPair('RS256', { extractable: true });
    expect(await codeOf(esOnly.verify(await proof(rsa, {}, {}, 'RS256'), request))).toMatch(
      /^invalid/,
    );
    expect(() => new DpopProofVerifier({ algorithms: ['HS256'] })).toThrow(/asymmetric/);
  });
});

const JWCRYPTO = '/usr/bin/python3';
const jwcryptoAvailable = (() => {
  try {
    return (
      existsSync(JWCRYPTO) &&
      (execFileSync(JWCRYPTO, ['-c', 'import jwcrypto'], { stdio: 'ignore' }), true)
    );
  } catch {
    return false;
  }
})();
if (!jwcryptoAvailable && process.env.TEST_REQUIRE_ORACLES === '1')
  throw new Error('DPoP oracle: python3-jwcrypto is missing, and TEST_REQUIRE_ORACLES=1');

(jwcryptoAvailable ? describe : describe.skip)('DPoP proofs minted by python3-jwcrypto', () => {
  /** A proof made by jwcrypto (Debian), unchanged; prints the proof and the key's thumbprint. */
  function jwcryptoProof(
    kty: 'EC' | 'RSA',
    claims: Record<string, unknown>,
  ): { proof: string; jkt: string } {
    const script = `
import json, sys
from jwcrypto import jwk, jwt
kty, claims = sys.argv[1], json.loads(sys.argv[2])
key = jwk.JWK.generate(kty='EC', crv='P-256') if kty == 'EC' else jwk.JWK.generate(kty='RSA', size=2048)
alg = 'ES256' if kty == 'EC' else 'PS256'
token = jwt.JWT(header={'alg': alg, 'typ': 'dpop+jwt', 'jwk': key.export_public(as_dict=True)}, claims=claims)
token.make_signed_token(key)
print(json.dumps({'proof': token.serialize(), 'jkt': key.thumbprint()}))
`;
    return JSON.parse(
      execFileSync(JWCRYPTO, ['-c', script, kty, JSON.stringify(claims)], { encoding: 'utf8' }),
    );
  }

  it.each(['EC', 'RSA'] as const)(
    'verifies a %s proof and agrees on the RFC 7638 thumbprint',
    async (kty) => {
      const token = 'an-access-token';
      const { proof: minted, jkt } = jwcryptoProof(kty, {
        jti: randomUUID(),
        htm: 'POST',
        htu: URL_,
        iat: Math.floor(Date.now() / 1000),
        ath: accessTokenHash(token),
      });
      const verified = await new DpopProofVerifier().verify(minted, {
        method: 'POST',
        url: URL_,
        accessToken: token,
        expectedJkt: jkt,
      });
      expect(verified.jkt).toBe(jkt);
    },
  );
});
