import { Algorithm, hash } from '@node-rs/argon2';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';

import { ApiError } from '@jwt-token/service-kit';

import { PasswordHasher } from '../src/crypto/password-hasher';
import { UserEntity } from '../src/database/entities';
import { PASSWORD, registerAndLogin, startAuthApi, type TestAuthApi, uniqueEmail } from './harness';

const WRONG = 'not the password';
const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

function login(api: TestAuthApi, email: string, password: string) {
  return api.http().post('/auth/login').send({ email, password });
}

async function failLogins(api: TestAuthApi, email: string, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const res = await login(api, email, WRONG).expect(401);
    expect(res.body.error).toBe('invalid_credentials');
  }
}

function expectTooManyRequests(
  res: { status: number; headers: Record<string, string>; body: unknown },
  error: string,
): number {
  expect(res.status).toBe(429);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(res.body).toEqual({ statusCode: 429, error, message: expect.any(String) });
  return retryAfter;
}

describe('auth-api: per-account lockout (LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=60)', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '60' });
  });
  afterAll(() => api.close());

  it('locks after 3 wrong passwords: even the right password gets 429 account_locked with Retry-After', async () => {
    const { email } = await registerAndLogin(api);
    await failLogins(api, email, 3);

    const locked = await login(api, email, PASSWORD);
    const retryAfter = expectTooManyRequests(locked, 'account_locked');
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(locked.body.access_token).toBeUndefined();

    api.clock.advance(30_000);
    const later = expectTooManyRequests(await login(api, email, PASSWORD), 'account_locked');
    expect(later).toBeLessThanOrEqual(30);
  });

  it('counts wrong current passwords at POST /auth/password on the same counter as sign-in', async () => {
    const user = await registerAndLogin(api);
    const change = (currentPassword: string) =>
      api
        .http()
        .post('/auth/password')
        .auth(user.accessToken, { type: 'bearer' })
        .send({ currentPassword, newPassword: 'a new password' });
    await change(WRONG).expect(403);
    await change(WRONG).expect(403);
    await failLogins(api, user.email, 1);
    // Three guesses spent, two of them with a stolen access token: the account is locked for both.
    expectTooManyRequests(await change(PASSWORD), 'account_locked');
    expectTooManyRequests(await login(api, user.email, PASSWORD), 'account_locked');
    api.clock.advance(60_001);
    await change(PASSWORD).expect(204);
    await login(api, user.email, 'a new password').expect(200);
  });

  it('unlocks after LOGIN_LOCKOUT_SECONDS with the counter reset', async () => {
    const { email } = await registerAndLogin(api);
    await failLogins(api, email, 3);
    expectTooManyRequests(await login(api, email, PASSWORD), 'account_locked');
    api.clock.advance(61_000);

    // Two failures after the lock ended do not lock again: the old failures no longer count.
    await failLogins(api, email, 2);
    await login(api, email, PASSWORD).expect(200);
    // A success resets the counter too: it takes three fresh failures to lock again.
    await failLogins(api, email, 2);
    await login(api, email, PASSWORD).expect(200);
    await failLogins(api, email, 3);
    expectTooManyRequests(await login(api, email, PASSWORD), 'account_locked');
  });

  it('checks no more than 3 passwords however many wrong ones race, then stays locked', async () => {
    const { email } = await registerAndLogin(api);
    const results = await Promise.all(Array.from({ length: 12 }, () => login(api, email, WRONG)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    for (const res of results.filter((r) => r.status === 429))
      expectTooManyRequests(res, 'account_locked');
    expectTooManyRequests(await login(api, email, PASSWORD), 'account_locked');
  });

  it('never locks anything for an unknown email: every attempt is the same 401', async () => {
    const email = uniqueEmail('ghost');
    const bodies = [];
    for (let i = 0; i < 6; i += 1) bodies.push((await login(api, email, WRONG).expect(401)).body);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0]).toEqual({
      statusCode: 401,
      error: 'invalid_credentials',
      message: expect.any(String),
    });

    // Registering that email afterwards gives a usable account: nothing was locked in advance.
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    await login(api, email, PASSWORD).expect(200);
  });

  it("does not let one account's failures lock another account", async () => {
    const victim = await registerAndLogin(api);
    const other = await registerAndLogin(api);
    await failLogins(api, other.email, 3);
    await login(api, victim.email, PASSWORD).expect(200);
  });

  it('upgrades a weaker argon2id hash to the current parameters at login', async () => {
    const { id, email } = await registerAndLogin(api);
    const users = api.app.get(DataSource).getRepository(UserEntity);
    const weak = await hash(PASSWORD, {
      algorithm: Algorithm.Argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    await users.update({ id }, { passwordHash: weak });
    expect((await users.findOneByOrFail({ id })).passwordHash).toMatch(
      /^\$argon2id\$v=19\$m=4096,t=1,p=1\$/,
    );

    await login(api, email, PASSWORD).expect(200);
    const upgraded = (await users.findOneByOrFail({ id })).passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await login(api, email, PASSWORD).expect(200);
    await login(api, email, WRONG).expect(401);
  });

  it('answers 503 with Retry-After when the hasher is saturated, without spending the account’s attempts', async () => {
    const { email } = await registerAndLogin(api);
    const hasher = api.app.get(PasswordHasher);
    const saturated = () =>
      new ApiError(
        503,
        'service_unavailable',
        'too many password checks in progress; retry shortly',
        {},
        { 'Retry-After': '1' },
      );
    const spy = jest.spyOn(hasher, 'verify');
    try {
      // More refusals than LOGIN_MAX_FAILURES (3): had they counted, the account would be locked.
      for (let i = 0; i < 5; i += 1) {
        spy.mockRejectedValueOnce(saturated());
        const res = await login(api, email, WRONG);
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.body).toEqual({
          statusCode: 503,
          error: 'service_unavailable',
          message: expect.any(String),
        });
      }
    } finally {
      spy.mockRestore();
    }
    await login(api, email, PASSWORD).expect(200);
  });
});

describe('auth-api: per-IP throttling of the credential endpoints (RATE_LIMIT_PER_MINUTE=5)', () => {
  let api: TestAuthApi;

  beforeEach(async () => {
    api = await startAuthApi({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterEach(() => api.close());

  it('answers the 6th credential request of a minute, whatever the endpoint, with 429 too_many_requests', async () => {
    const { email, refreshToken } = await registerAndLogin(api); // 2
    await api.http().post('/auth/refresh').send({ refresh_token: refreshToken }).expect(200); // 3
    await login(api, email, WRONG).expect(401); // 4
    await api
      .http()
      .post('/auth/register')
      .send({ email: uniqueEmail(), password: PASSWORD })
      .expect(201); // 5

    expectTooManyRequests(await login(api, email, PASSWORD), 'too_many_requests');
    expectTooManyRequests(
      await api.http().post('/auth/register').send({ email: uniqueEmail(), password: PASSWORD }),
      'too_many_requests',
    );
    expectTooManyRequests(
      await api.http().post('/auth/refresh').send({ refresh_token: refreshToken }),
      'too_many_requests',
    );
  });

  it('throttles repeated logins at the 6th request', async () => {
    for (let i = 0; i < 5; i += 1) await login(api, uniqueEmail('nobody'), WRONG).expect(401);
    const res = await login(api, uniqueEmail('nobody'), WRONG);
    expectTooManyRequests(res, 'too_many_requests');
  });

  it('never throttles the non-credential endpoints', async () => {
    for (let i = 0; i < 6; i += 1) await login(api, uniqueEmail('nobody'), WRONG);
    expect((await login(api, uniqueEmail('nobody'), WRONG)).status).toBe(429);
    for (let i = 0; i < 12; i += 1) {
      await api.http().get('/health').expect(200);
      const jwks = await api.http().get('/.well-known/jwks.json').expect(200);
      expect(jwks.body.keys.length).toBeGreaterThan(0);
    }
    await api.http().get('/.well-known/oauth-authorization-server').expect(200);
  });
});

const describeWithRedis = TEST_REDIS_URL ? describe : describe.skip;
if (!TEST_REDIS_URL) {
  console.info(
    'lockout-and-throttle: shared-Redis throttling skipped: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to run it',
  );
}

/**
 * This suite's own Redis database (index 7): other suites running at the same time also throttle
 * 127.0.0.1 through Redis, and must neither spend this budget nor be blocked by it.
 */
function ownRedisDatabase(url: string): string {
  const own = new URL(url);
  own.pathname = '/7';
  return own.href;
}

describeWithRedis('auth-api: throttling shared through Redis (REDIS_URL)', () => {
  it('shares one per-IP budget between two instances', async () => {
    const redisUrl = ownRedisDatabase(TEST_REDIS_URL as string);
    // Start from a clean slate: earlier runs may have left this machine's counters in Redis.
    const redis = new Redis(redisUrl);
    const stale = await redis.keys('throttle:*');
    if (stale.length > 0) await redis.del(...stale);
    await redis.quit();

    const env = { REDIS_URL: redisUrl, RATE_LIMIT_PER_MINUTE: '5' };
    const first = await startAuthApi(env);
    const second = await startAuthApi(env);
    try {
      for (let i = 0; i < 3; i += 1) await login(first, uniqueEmail('nobody'), WRONG).expect(401);
      for (let i = 0; i < 2; i += 1) await login(second, uniqueEmail('nobody'), WRONG).expect(401);
      expectTooManyRequests(await login(first, uniqueEmail('nobody'), WRONG), 'too_many_requests');
      expectTooManyRequests(await login(second, uniqueEmail('nobody'), WRONG), 'too_many_requests');
      const ready = await second.http().get('/health/ready').expect(200);
      expect(ready.body.info.redis.status).toBe('up');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
