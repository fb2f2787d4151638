import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { DataSource } from 'typeorm';

import { loadAuthApiConfig } from '../src/config/auth-api.config';
import {
  claimsOf,
  headerOf,
  registerAndLogin,
  startAuthApi,
  type TestAuthApi,
  TEST_DATABASE_URL,
} from './harness';

const KEY_A = 'key-encryption-key-A-0123456789abcdef';
const KEY_B = 'key-encryption-key-B-0123456789abcdef';
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** Restarting on the same database needs the SQLite file: the harness gives each PostgreSQL start a fresh database. */
const sqliteOnly = TEST_DATABASE_URL ? it.skip : it;
if (TEST_DATABASE_URL) {
  console.info(
    'keys-algorithms-and-restart: restart cases skipped on PostgreSQL (each harness start gets a fresh database)',
  );
}

async function verifyWithJose(api: TestAuthApi, token: string) {
  const jwks = await api.http().get('/.well-known/jwks.json').expect(200);
  return jose.jwtVerify(token, jose.createLocalJWKSet(jwks.body), {
    issuer: 'http://auth.test',
    audience: 'resource-api',
    typ: 'at+jwt',
    currentDate: new Date(api.clock.now()),
  });
}

function me(api: TestAuthApi, accessToken: string) {
  return api.http().get('/auth/me').auth(accessToken, { type: 'bearer' });
}

async function storedSecrets(
  api: TestAuthApi,
): Promise<{ privateKeys: string[]; secrets: string[] }> {
  const dataSource = api.app.get(DataSource);
  const keys: Array<{ private_key: string }> = await dataSource.query(
    'SELECT private_key FROM signing_keys',
  );
  const secrets: Array<{ value: string }> = await dataSource.query(
    'SELECT value FROM server_secrets',
  );
  return { privateKeys: keys.map((k) => k.private_key), secrets: secrets.map((s) => s.value) };
}

describe.each(['RS256', 'PS256'] as const)('auth-api: JWT_ALG=%s', (alg) => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ JWT_ALG: alg });
  });
  afterAll(() => api.close());

  it('signs tokens with that algorithm, verifiable with jose over the served JWKS', async () => {
    const user = await registerAndLogin(api);
    expect(headerOf(user.accessToken)).toEqual({ alg, typ: 'at+jwt', kid: expect.any(String) });
    const { payload, protectedHeader } = await verifyWithJose(api, user.accessToken);
    expect(protectedHeader.alg).toBe(alg);
    expect(payload).toMatchObject({
      sub: user.id,
      sid: claimsOf(user.accessToken).sid,
      roles: ['user'],
    });
    await me(api, user.accessToken).expect(200);
  });

  it('publishes public RSA keys only, and advertises the algorithm', async () => {
    const jwks = await api.http().get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    for (const key of jwks.body.keys) {
      expect(key).toMatchObject({
        kty: 'RSA',
        alg,
        use: 'sig',
        kid: expect.any(String),
        n: expect.any(String),
        e: 'AQAB',
      });
      for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member);
    }
    const metadata = await api.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body.access_token_signing_alg_values_supported).toEqual([alg]);
  });

  it('refuses a token whose signature was tampered with, and jose refuses it too', async () => {
    const user = await registerAndLogin(api);
    const [header, payload] = user.accessToken.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...claimsOf(user.accessToken), roles: ['admin'] }),
    ).toString('base64url');
    const forged = `${header}.${forgedPayload}.${user.accessToken.split('.')[2]}`;
    expect(payload).not.toBe(forgedPayload);
    await me(api, forged).expect(401);
    await expect(verifyWithJose(api, forged)).rejects.toThrow(
      jose.errors.JWSSignatureVerificationFailed,
    );
  });
});

describe('auth-api: keys across restarts and KEY_ENCRYPTION_KEY', () => {
  const dirs: string[] = [];
  const running: TestAuthApi[] = [];

  function newDataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'auth-api-keys-'));
    dirs.push(dir);
    return dir;
  }

  async function start(env: Record<string, string>, dataDir: string): Promise<TestAuthApi> {
    const api = await startAuthApi(env, { dataDir });
    running.push(api);
    return api;
  }

  async function stop(api: TestAuthApi): Promise<void> {
    running.splice(running.indexOf(api), 1);
    await api.close();
  }

  afterEach(async () => {
    for (const api of running.splice(0)) await api.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  sqliteOnly('keeps its key and refresh secret across a restart on the same data dir', async () => {
    const dataDir = newDataDir();
    const first = await start({}, dataDir);
    const user = await registerAndLogin(first);
    const kid = headerOf(user.accessToken).kid;
    await stop(first);

    const second = await start({}, dataDir);
    const jwks = await second.http().get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(kid);
    await me(second, user.accessToken).expect(200);
    await verifyWithJose(second, user.accessToken);
    const refreshed = await second
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: user.refreshToken })
      .expect(200);
    expect(headerOf(refreshed.body.access_token).kid).toBe(kid);
    expect(claimsOf(refreshed.body.access_token).sid).toBe(claimsOf(user.accessToken).sid);
  });

  it('seals private keys and server secrets at rest when KEY_ENCRYPTION_KEY is set', async () => {
    const api = await start({ KEY_ENCRYPTION_KEY: KEY_A }, newDataDir());
    const user = await registerAndLogin(api);
    const { privateKeys, secrets } = await storedSecrets(api);
    expect(privateKeys.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(0);
    for (const value of [...privateKeys, ...secrets]) expect(value).toMatch(/^enc:v1:/);
    expect(privateKeys.join('\n')).not.toContain('PRIVATE KEY');
    await api.http().post('/auth/refresh').send({ refresh_token: user.refreshToken }).expect(200);
  });

  sqliteOnly(
    'refuses to start with another KEY_ENCRYPTION_KEY, or none, and starts again with the right one',
    async () => {
      const dataDir = newDataDir();
      const first = await start({ KEY_ENCRYPTION_KEY: KEY_A }, dataDir);
      const user = await registerAndLogin(first);
      await stop(first);

      await expect(startAuthApi({ KEY_ENCRYPTION_KEY: KEY_B }, { dataDir })).rejects.toThrow(
        /KEY_ENCRYPTION_KEY/,
      );
      await expect(startAuthApi({}, { dataDir })).rejects.toThrow(/KEY_ENCRYPTION_KEY/);

      const again = await start({ KEY_ENCRYPTION_KEY: KEY_A }, dataDir);
      await me(again, user.accessToken).expect(200);
      await again
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(200);
    },
  );

  sqliteOnly(
    'seals secrets with a DATA_DIR key by default, and reseals them once KEY_ENCRYPTION_KEY is set',
    async () => {
      const dataDir = newDataDir();
      const first = await start({}, dataDir);
      const user = await registerAndLogin(first);
      const before = await storedSecrets(first);
      // Without KEY_ENCRYPTION_KEY the database still holds nothing usable on its own.
      for (const value of [...before.privateKeys, ...before.secrets])
        expect(value).toMatch(/^enc:v1:/);
      const keyFile = join(dataDir, 'key-encryption.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      await stop(first);

      const sealed = await start({ KEY_ENCRYPTION_KEY: KEY_A }, dataDir);
      const after = await storedSecrets(sealed);
      for (const value of [...after.privateKeys, ...after.secrets])
        expect(value).toMatch(/^enc:v1:/);
      expect(after.privateKeys).not.toEqual(before.privateKeys);
      await me(sealed, user.accessToken).expect(200);
      await stop(sealed);

      // Resealed under KEY_A: the DATA_DIR key is no longer needed.
      rmSync(keyFile);
      const again = await start({ KEY_ENCRYPTION_KEY: KEY_A }, dataDir);
      await me(again, user.accessToken).expect(200);
      await again
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(200);
    },
  );

  it('refuses a KEY_ENCRYPTION_KEY shorter than 32 characters, naming the variable', () => {
    expect(() => loadAuthApiConfig({ KEY_ENCRYPTION_KEY: 'x'.repeat(31) })).toThrow(
      /KEY_ENCRYPTION_KEY/,
    );
  });
});

describe('auth-api: health when the database is gone', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi();
  });
  afterAll(() => api.close());

  it('answers /health and /health/ready with 503 naming the database, keeps liveness and the JWKS', async () => {
    const kid = headerOf((await registerAndLogin(api)).accessToken).kid;
    await api.app.get(DataSource).destroy();
    api.clock.advance(10_000);

    const health = await api.http().get('/health').expect(503);
    expect(health.body.error.database.status).toBe('down');
    const ready = await api.http().get('/health/ready').expect(503);
    expect(ready.body.error.database.status).toBe('down');
    expect(ready.body.info.signing_key).toMatchObject({ status: 'up', kid });
    await api.http().get('/health/live').expect(200);
    const jwks = await api.http().get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(kid);
  });
});
