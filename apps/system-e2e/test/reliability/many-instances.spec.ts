import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, reportServiceErrors, ServiceProcess } from '../service-process';
import {
  ADMIN,
  createPostgresDatabase,
  describeWhen,
  freshLoopbackAddress,
  KEY_ENCRYPTION_KEY,
  PASSWORD,
  send,
  type SendOptions,
  sleep,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
} from './support';

const MAX_FAILURES = 3;
const RATE_LIMIT = 12;

const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;
const sidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;

/**
 * Two auth-api processes on one PostgreSQL database and one Redis, no load balancer: the test
 * itself alternates between them, as a balancer would. Whatever one instance did, the other
 * honours: sessions, refresh rotation and reuse detection, the account lock, the per-IP limit,
 * key rotation. resource-api, which fetches the JWKS from A only, accepts tokens from both.
 *
 * Every test speaks from a loopback address of its own (127.x.y.z), so the per-IP limit it meets
 * in the shared Redis is its own, whatever else uses that Redis.
 */
describeWhen(
  TEST_DATABASE_URL && TEST_REDIS_URL,
  'TEST_DATABASE_URL and TEST_REDIS_URL are not both set (needs PostgreSQL and Redis)',
)('two auth-api instances on one PostgreSQL and one Redis', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  const dataDirs: string[] = [];
  let a: ServiceProcess;
  let b: ServiceProcess;
  let resource: ServiceProcess;

  beforeAll(async () => {
    database = await createPostgresDatabase(TEST_DATABASE_URL!, 'reliability_cluster');
    const [portA, portB, portResource] = [await freePort(), await freePort(), await freePort()];
    // One public issuer for the cluster, as behind a load balancer.
    const issuer = `http://127.0.0.1:${portA}`;
    const env = (): Record<string, string> => {
      const dataDir = mkdtempSync(join(tmpdir(), 'reliability-cluster-'));
      dataDirs.push(dataDir);
      return {
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL!,
        KEY_ENCRYPTION_KEY,
        KEY_RELOAD_SECONDS: '1',
        AUTH_ISSUER: issuer,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        REFRESH_REUSE_INTERVAL: '1',
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_LOCKOUT_SECONDS: '60',
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      };
    };
    a = new ServiceProcess('auth-api', portA, env());
    b = new ServiceProcess('auth-api', portB, env());
    resource = new ServiceProcess('resource-api', portResource, {
      AUTH_ISSUER: issuer,
      AUTH_JWKS_URI: `${issuer}/.well-known/jwks.json`,
    });
    // Both at once on the empty database, as a deployment of two replicas does: migrations,
    // the first signing keys, the shared secrets and the admin are created under a race.
    await Promise.all([a.start(), b.start(), resource.start()]);
  });

  afterAll(async () => {
    reportServiceErrors([a, b, resource]);
    for (const service of [a, b, resource]) service?.kill();
    await Promise.all([a, b, resource].map((service) => service?.exited()));
    await database?.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Each test's own client address (its own per-IP budget in Redis). */
  let from: string;
  beforeEach(() => {
    from = freshLoopbackAddress();
  });
  const on = (service: ServiceProcess, method: string, path: string, options: SendOptions = {}) =>
    send(service.url, method, path, { localAddress: from, ...options });

  async function newUser(): Promise<{ email: string; id: string }> {
    const email = `cluster-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const registered = await on(b, 'POST', '/auth/register', {
      body: { email, password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    return { email, id: registered.body.id };
  }

  async function sameJwks(deadlineMs = 5000): Promise<string[]> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const [ja, jb] = await Promise.all([
        on(a, 'GET', '/.well-known/jwks.json'),
        on(b, 'GET', '/.well-known/jwks.json'),
      ]);
      const kids = (reply: typeof ja) =>
        (reply.body.keys as Array<{ kid: string }>).map((k) => k.kid).sort();
      if (JSON.stringify(kids(ja)) === JSON.stringify(kids(jb))) {
        expect(jb.body).toEqual({ keys: expect.arrayContaining(ja.body.keys) });
        return kids(ja);
      }
      if (Date.now() > deadline)
        throw new Error(`JWKS still differ: A ${kids(ja)} / B ${kids(jb)}`);
      await sleep(200);
    }
  }

  it('start together on an empty database and publish the same JWKS', async () => {
    const kids = await sameJwks();
    expect(kids.length).toBeGreaterThanOrEqual(2); // the active key and the pre-published next one
    const admin = [
      await on(a, 'POST', '/auth/login', { body: ADMIN }),
      await on(b, 'POST', '/auth/login', { body: ADMIN }),
    ];
    expect(admin.map((r) => r.status)).toEqual([200, 200]);
    expect(kidOf(admin[0].body.access_token)).toBe(kidOf(admin[1].body.access_token));
  });

  it('a session logged in on A refreshes on B and back, and each accepts the other’s tokens', async () => {
    const { email, id } = await newUser();
    const login = await on(a, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const onB = await on(b, 'POST', '/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(onB.status).toBe(200);
    const backOnA = await on(a, 'POST', '/auth/refresh', {
      body: { refresh_token: onB.body.refresh_token },
    });
    expect(backOnA.status).toBe(200);
    const sid = sidOf(login.body.access_token);
    expect([sidOf(onB.body.access_token), sidOf(backOnA.body.access_token)]).toEqual([sid, sid]);

    for (const token of [
      login.body.access_token,
      onB.body.access_token,
      backOnA.body.access_token,
    ]) {
      expect((await on(b, 'GET', '/auth/me', { token })).body).toMatchObject({ id, email });
      expect((await on(a, 'GET', '/auth/me', { token })).status).toBe(200);
      expect((await on(resource, 'GET', '/me', { token })).body).toMatchObject({
        sub: id,
        roles: ['user'],
      });
    }
    // A session ended on B is ended on A at once.
    expect(
      (await on(b, 'POST', '/auth/logout', { token: backOnA.body.access_token, body: {} })).status,
    ).toBe(204);
    expect((await on(a, 'GET', '/auth/me', { token: backOnA.body.access_token })).status).toBe(401);
    expect(
      (
        await on(a, 'POST', '/auth/refresh', {
          body: { refresh_token: backOnA.body.refresh_token },
        })
      ).status,
    ).toBe(401);
  });

  it('the same refresh token racing on A and B: one rotation, both get the session’s new token', async () => {
    const { email } = await newUser();
    const login = await on(a, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
    const body = { refresh_token: login.body.refresh_token };
    // Like two tabs behind a balancer; whichever instance loses sees a replay within the interval.
    const [onA, onB] = await Promise.all([
      on(a, 'POST', '/auth/refresh', { body }),
      on(b, 'POST', '/auth/refresh', { body }),
    ]);
    expect([onA.status, onB.status]).toEqual([200, 200]);
    expect(onB.body.refresh_token).toBe(onA.body.refresh_token);
    expect(sidOf(onB.body.access_token)).toBe(sidOf(login.body.access_token));
    // Exactly one rotation: the shared new token rotates once more, normally.
    const next = await on(b, 'POST', '/auth/refresh', {
      body: { refresh_token: onA.body.refresh_token },
    });
    expect(next.status).toBe(200);
  });

  it('a rotated token replayed on B after the reuse interval revokes what A issued', async () => {
    const { email } = await newUser();
    const login = await on(a, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
    const rotated = await on(a, 'POST', '/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(rotated.status).toBe(200);
    await sleep(1500); // REFRESH_REUSE_INTERVAL=1
    const replay = await on(b, 'POST', '/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_grant' } });
    // The whole family is gone, on both instances: A's current refresh token and access token.
    expect(
      (
        await on(a, 'POST', '/auth/refresh', {
          body: { refresh_token: rotated.body.refresh_token },
        })
      ).status,
    ).toBe(401);
    expect((await on(a, 'GET', '/auth/me', { token: rotated.body.access_token })).status).toBe(401);
    expect((await on(b, 'GET', '/auth/me', { token: rotated.body.access_token })).status).toBe(401);
  });

  it('shares the per-account lock: failures on A and B add up, and both refuse', async () => {
    const { email } = await newUser();
    const wrong = { email, password: 'not the password' };
    const failures = [];
    for (let i = 0; i < MAX_FAILURES; i++)
      failures.push((await on(i % 2 ? b : a, 'POST', '/auth/login', { body: wrong })).status);
    expect(failures).toEqual(Array(MAX_FAILURES).fill(401));
    for (const service of [a, b]) {
      const locked = await on(service, 'POST', '/auth/login', {
        body: { email, password: PASSWORD },
      });
      expect(locked).toMatchObject({ status: 429, body: { error: 'account_locked' } });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('shares the per-IP limit through Redis: the budget is spent across both instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) {
      // Unknown accounts: 401 each, never an account lock.
      const body = { email: `nobody-${i}@example.com`, password: 'whatever password' };
      statuses.push((await on(i % 2 ? b : a, 'POST', '/auth/login', { body })).status);
    }
    // Each instance alone saw only half the limit: a 429 now means they counted together.
    expect(statuses).toEqual(Array(RATE_LIMIT).fill(401));
    for (const service of [a, b]) {
      const refused = await on(service, 'POST', '/auth/login', {
        body: { email: 'nobody@example.com', password: 'whatever password' },
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Another client address is not affected.
    const other = await send(a.url, 'POST', '/auth/login', {
      localAddress: freshLoopbackAddress(),
      body: { email: 'nobody@example.com', password: 'x' },
    });
    expect(other.status).toBe(401);
  });

  it('a key rotated on A signs on B within seconds; both publish it; resource-api accepts tokens from both', async () => {
    const admin = await on(a, 'POST', '/auth/login', { body: ADMIN });
    const before = kidOf(admin.body.access_token);
    const rotated = await on(a, 'POST', '/keys/rotate', { token: admin.body.access_token });
    expect(rotated.status).toBe(201);
    expect(rotated.body.kid).not.toBe(before);

    const started = Date.now();
    let fromB = await on(b, 'POST', '/auth/login', { body: ADMIN });
    while (kidOf(fromB.body.access_token) !== rotated.body.kid && Date.now() - started < 5000) {
      await sleep(200);
      fromB = await on(b, 'POST', '/auth/login', { body: ADMIN });
    }
    const tookMs = Date.now() - started;
    expect(kidOf(fromB.body.access_token)).toBe(rotated.body.kid);
    const fromA = await on(a, 'POST', '/auth/login', { body: ADMIN });
    expect(kidOf(fromA.body.access_token)).toBe(rotated.body.kid);
    const kids = await sameJwks();
    expect(kids).toEqual(expect.arrayContaining([before, rotated.body.kid]));
    process.stdout.write(
      `[reliability] cluster: B signed with the key rotated on A after ${tookMs} ms\n`,
    );

    for (const token of [
      admin.body.access_token,
      fromA.body.access_token,
      fromB.body.access_token,
    ]) {
      expect((await on(resource, 'GET', '/me', { token })).status).toBe(200);
      expect((await on(a, 'GET', '/auth/me', { token })).status).toBe(200);
      expect((await on(b, 'GET', '/auth/me', { token })).status).toBe(200);
    }
  });

  it('all three processes are still up', () => {
    expect([a.alive, b.alive, resource.alive]).toEqual([true, true, true]);
  });
});
