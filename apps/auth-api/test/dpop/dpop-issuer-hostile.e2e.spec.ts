import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

import { claimsOf, PASSWORD, startAuthApi, type TestAuthApi, uniqueEmail } from '../harness';
import {
  basic,
  createClient,
  expectOAuthError,
  startOAuthApi,
  type TestClient,
} from '../oauth-harness';
import {
  dpopKey,
  type DpopKey,
  hasJwcrypto,
  jwcryptoKey,
  jwcryptoProof,
  proof,
  type ProofOptions,
} from './dpop-proofs';

const ISSUER = 'http://auth.test';
const TOKEN_URL = `${ISSUER}/oauth/token`;
const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A client-credentials request with the given `DPoP` header(s). */
function tokenWithProof(api: TestAuthApi, client: TestClient, dpop?: string | string[]) {
  const req = api
    .http()
    .post('/oauth/token')
    .type('form')
    .set('Authorization', basic(client.clientId, client.secret));
  // Node joins repeated headers with ", ": what the server sees of two DPoP headers.
  if (dpop !== undefined) req.set('DPoP', Array.isArray(dpop) ? dpop.join(', ') : dpop);
  return req.send({ grant_type: 'client_credentials' });
}

describe('auth-api: hostile DPoP proofs where tokens are issued (RFC 9449 §4.3)', () => {
  let api: TestAuthApi;
  let client: TestClient;
  let key: DpopKey;

  beforeAll(async () => {
    api = await startOAuthApi();
    client = await createClient(api);
    key = await dpopKey();
  });
  afterAll(() => api.close());

  const now = () => Math.floor(Date.now() / 1000);
  const hostile: Array<[string, () => Promise<string | string[]>]> = [
    ['another method (htm)', () => proof(key, { htm: 'GET', htu: TOKEN_URL })],
    ['another URL (htu)', () => proof(key, { htu: `${ISSUER}/oauth/introspect` })],
    ['another host (htu)', () => proof(key, { htu: 'http://evil.test/oauth/token' })],
    ['a stale iat', () => proof(key, { htu: TOKEN_URL, iat: now() - 600 })],
    ['an iat in the future', () => proof(key, { htu: TOKEN_URL, iat: now() + 600 })],
    ['typ JWT', () => proof(key, { htu: TOKEN_URL, header: { typ: 'JWT' } })],
    [
      'private key material in jwk',
      async () => {
        const pair = await generateKeyPair('ES256', { extractable: true });
        const jwk = await exportJWK(pair.privateKey);
        return proof({ ...key, jwk }, { htu: TOKEN_URL, header: { jwk } });
      },
    ],
    [
      'alg none',
      async () =>
        `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk })}.${b64({
          htm: 'POST',
          htu: TOKEN_URL,
          jti: randomUUID(),
          iat: now(),
        })}.`,
    ],
    [
      'HS256 with a symmetric jwk',
      async () =>
        `${b64({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } })}.${b64({
          htm: 'POST',
          htu: TOKEN_URL,
          jti: randomUUID(),
          iat: now(),
        })}.c2lnbmF0dXJl`,
    ],
    [
      'a signature by another key than its jwk',
      async () => proof({ ...key, keys: (await dpopKey()).keys }, { htu: TOKEN_URL }),
    ],
    ['no jti', () => proof(key, { htu: TOKEN_URL, jti: '' })],
    ['not a JWS at all', async () => 'not-a-proof'],
    [
      'two DPoP headers',
      async () => [await proof(key, { htu: TOKEN_URL }), await proof(key, { htu: TOKEN_URL })],
    ],
  ];

  it.each(hostile)('refuses %s with invalid_dpop_proof and issues nothing', async (_, make) => {
    const res = await tokenWithProof(api, client, await make());
    expectOAuthError(res, 400, 'invalid_dpop_proof');
  });

  it('accepts a proof once: the same proof again is a replay', async () => {
    const once = await proof(key, { htu: TOKEN_URL });
    const first = await tokenWithProof(api, client, once).expect(200);
    expect(first.body.token_type).toBe('DPoP');
    expect(claimsOf(first.body.access_token).cnf).toEqual({ jkt: key.jkt });
    expectOAuthError(await tokenWithProof(api, client, once), 400, 'invalid_dpop_proof');
  });

  it('matches htu normalised (host case, default port) and ignores the query', async () => {
    const res = await tokenWithProof(
      api,
      client,
      await proof(key, { htu: 'HTTP://AUTH.TEST:80/oauth/token?x=1' }),
    );
    expect(res.status).toBe(200);
  });

  it('refuses a bad proof at the JSON login before the password is checked', async () => {
    const email = uniqueEmail('dpop-hostile');
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    // More refusals than the lockout allows: none spent a password attempt.
    for (let attempt = 0; attempt < 7; attempt += 1) {
      const res = await api
        .http()
        .post('/auth/login')
        .set('DPoP', await proof(key, { htu: TOKEN_URL }))
        .send({ email, password: 'wrong password, never checked' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'invalid_dpop_proof',
        message: expect.any(String),
      });
    }
    await api.http().post('/auth/login').send({ email, password: PASSWORD }).expect(200);
  });
});

describe('auth-api: DPoP at the JSON sign-in and at its own routes', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi();
  });
  afterAll(() => api.close());

  async function signIn(dpop: string) {
    const email = uniqueEmail('dpop-json');
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    return api
      .http()
      .post('/auth/login')
      .set('DPoP', dpop)
      .send({ email, password: PASSWORD })
      .expect(200);
  }

  it('binds the session to the key: refresh needs a proof by it, bound tokens need DPoP', async () => {
    const key = await dpopKey();
    const login = await signIn(await proof(key, { htu: `${ISSUER}/auth/login` }));
    expect(login.body.token_type).toBe('DPoP');
    const { access_token: token, refresh_token: refresh } = login.body;
    expect(claimsOf(token).cnf).toEqual({ jkt: key.jkt });

    const asBearer = await api.http().get('/auth/me').set('Authorization', `Bearer ${token}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers['www-authenticate']).toMatch(/^DPoP /);
    const meUrl = `${ISSUER}/auth/me`;
    const me = await api
      .http()
      .get('/auth/me')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await proof(key, { htm: 'GET', htu: meUrl, accessToken: token }));
    expect(me.status).toBe(200);
    const wrongAth = await api
      .http()
      .get('/auth/me')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await proof(key, { htm: 'GET', htu: meUrl, accessToken: 'another token' }));
    expect(wrongAth.status).toBe(401);
    expect(wrongAth.headers['www-authenticate']).toMatch(/error="invalid_dpop_proof"/);

    const refreshUrl = `${ISSUER}/auth/refresh`;
    const withoutProof = await api.http().post('/auth/refresh').send({ refresh_token: refresh });
    expect(withoutProof.status).toBe(401);
    expect(withoutProof.body.error).toBe('invalid_grant');
    const otherKey = await api
      .http()
      .post('/auth/refresh')
      .set('DPoP', await proof(await dpopKey(), { htu: refreshUrl }))
      .send({ refresh_token: refresh });
    expect(otherKey.status).toBe(401);
    // Neither refusal rotated the token nor ended the session: the key holder goes on.
    const refreshed = await api
      .http()
      .post('/auth/refresh')
      .set('DPoP', await proof(key, { htu: refreshUrl }))
      .send({ refresh_token: refresh })
      .expect(200);
    expect(refreshed.body.token_type).toBe('DPoP');
    expect(claimsOf(refreshed.body.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('keeps bearer sign-ins as they were', async () => {
    const email = uniqueEmail('bearer-json');
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    const login = await api
      .http()
      .post('/auth/login')
      .send({ email, password: PASSWORD })
      .expect(200);
    expect(login.body.token_type).toBe('Bearer');
    expect(claimsOf(login.body.access_token).cnf).toBeUndefined();
    const refreshed = await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: login.body.refresh_token })
      .expect(200);
    expect(refreshed.body.token_type).toBe('Bearer');
  });

  (hasJwcrypto ? it : it.skip)(
    'takes proofs minted by python3-jwcrypto, unchanged, and binds to its thumbprint',
    async () => {
      const { key, jkt } = jwcryptoKey();
      const login = await signIn(jwcryptoProof(key, 'POST', `${ISSUER}/auth/login`));
      const token = login.body.access_token as string;
      expect(claimsOf(token).cnf).toEqual({ jkt });
      const me = await api
        .http()
        .get('/auth/me')
        .set('Authorization', `DPoP ${token}`)
        .set('DPoP', jwcryptoProof(key, 'GET', `${ISSUER}/auth/me`, token));
      expect(me.status).toBe(200);
      const refreshed = await api
        .http()
        .post('/auth/refresh')
        .set('DPoP', jwcryptoProof(key, 'POST', `${ISSUER}/auth/refresh`))
        .send({ refresh_token: login.body.refresh_token });
      expect(refreshed.status).toBe(200);
    },
  );
});

describe('auth-api: DPoP nonces and replay across two instances of one deployment', () => {
  let first: TestAuthApi;
  let second: TestAuthApi;
  let client: TestClient;
  let key: DpopKey;

  beforeAll(async () => {
    const env = {
      DPOP_NONCE_REQUIRED: 'true',
      ...(TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
    };
    first = await startOAuthApi(env);
    // The same database (and data directory, whose key file seals the shared secrets).
    second = await startOAuthApi(
      {
        ...env,
        ...(first.config.databaseUrl ? { DATABASE_URL: first.config.databaseUrl } : {}),
      },
      { dataDir: first.config.dataDir },
    );
    client = await createClient(first);
    key = await dpopKey();
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  async function nonceFrom(api: TestAuthApi): Promise<string> {
    const res = await tokenWithProof(api, client, await proof(key, { htu: TOKEN_URL }));
    expectOAuthError(res, 400, 'use_dpop_nonce');
    return res.headers['dpop-nonce'] as string;
  }

  it('accepts at one instance the nonce another issued, and refuses a made-up one', async () => {
    const nonce = await nonceFrom(first);
    const options: ProofOptions = { htu: TOKEN_URL, nonce };
    const res = await tokenWithProof(second, client, await proof(key, options)).expect(200);
    expect(res.body.token_type).toBe('DPoP');
    const forged = await tokenWithProof(
      second,
      client,
      await proof(key, { htu: TOKEN_URL, nonce: `${nonce.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA` }),
    );
    expectOAuthError(forged, 400, 'use_dpop_nonce');
    expect(forged.headers['dpop-nonce']).toBe(nonce);
  });

  (TEST_REDIS_URL ? it : it.skip)(
    'refuses at one instance a proof the other accepted (jti shared through Redis)',
    async () => {
      const once = await proof(key, { htu: TOKEN_URL, nonce: await nonceFrom(first) });
      await tokenWithProof(first, client, once).expect(200);
      expectOAuthError(await tokenWithProof(second, client, once), 400, 'invalid_dpop_proof');
    },
  );
});

describe('auth-api: a fresher DPoP nonce on a successful answer (RFC 9449 §8.2)', () => {
  let api: TestAuthApi;
  let client: TestClient;
  let key: DpopKey;

  beforeAll(async () => {
    api = await startOAuthApi({ DPOP_NONCE_REQUIRED: 'true' });
    client = await createClient(api);
    key = await dpopKey();
  });
  afterAll(() => api?.close());

  it('hands out the next nonce once the window has moved on, and none while it is current', async () => {
    // Proofs are dated by auth-api's clock, which the test moves on by a whole nonce window.
    const withNonce = async (nonce: string) =>
      tokenWithProof(
        api,
        client,
        await proof(key, { htu: TOKEN_URL, nonce, iat: Math.floor(api.clock.now() / 1000) }),
      ).expect(200);
    const refused = await tokenWithProof(api, client, await proof(key, { htu: TOKEN_URL }));
    expectOAuthError(refused, 400, 'use_dpop_nonce');
    const nonce = refused.headers['dpop-nonce'] as string;
    expect((await withNonce(nonce)).headers['dpop-nonce']).toBeUndefined();
    api.clock.advance(300_000);
    const moved = await withNonce(nonce);
    const next = moved.headers['dpop-nonce'] as string;
    expect(next).toMatch(/^[\w.-]+$/);
    expect(next).not.toBe(nonce);
    expect((await withNonce(next)).headers['dpop-nonce']).toBeUndefined();
  });
});
