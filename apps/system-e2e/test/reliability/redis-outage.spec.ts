import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, ServiceProcess } from '../service-process';
import {
  describeWhen,
  expectNone,
  freshLoopbackAddress,
  hasRedisServer,
  logLines,
  PASSWORD,
  PrivateRedis,
  type Reply,
  send,
  sleep,
  TEST_REDIS_URL,
} from './support';

const LIMIT = 20;
const DOWN_WARNING = 'Redis unavailable';
const BACK_NOTICE = 'Redis is back';

/**
 * Redis (the shared rate-limit store) stopped under auth-api and started again. A private
 * redis-server on its own port, so the machine's Redis is never touched. auth-api keeps
 * serving, the limits fall back to per instance, and the log says so once, then once more when
 * Redis is back (README, "Where state lives").
 */
describeWhen(
  TEST_REDIS_URL && hasRedisServer(),
  'TEST_REDIS_URL is not set or redis-server is not installed (needs Redis)',
)('Redis stopped under auth-api', () => {
  let redis: PrivateRedis;
  let auth: ServiceProcess;
  let dataDir: string;

  beforeAll(async () => {
    redis = new PrivateRedis();
    await redis.start();
    dataDir = mkdtempSync(join(tmpdir(), 'reliability-redis-'));
    const port = await freePort();
    auth = new ServiceProcess('auth-api', port, {
      DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      AUTH_ISSUER: `http://127.0.0.1:${port}`,
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      // The "back" notice is an info line.
      LOG_LEVEL: 'info',
    });
    await auth.start();
  });

  afterAll(async () => {
    auth?.kill();
    await auth?.exited();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps serving, falls back to per-instance limits, and says so once each way', async () => {
    const email = `redis-outage-${Date.now()}@example.com`;
    const setup = freshLoopbackAddress();
    expect(
      (
        await send(auth.url, 'POST', '/auth/register', {
          body: { email, password: PASSWORD },
          localAddress: setup,
        })
      ).status,
    ).toBe(201);
    const first = await send(auth.url, 'POST', '/auth/login', {
      body: { email, password: PASSWORD },
      localAddress: setup,
    });
    expect(first.status).toBe(200);
    let refresh = first.body.refresh_token as string;
    expect((await send(auth.url, 'GET', '/health/ready')).status).toBe(200);

    await redis.stop();
    // Long enough for several reconnection attempts, each of which must not add a log line.
    await sleep(3000);
    const replies: Reply[] = [];
    // Spread over several client addresses, each under the limit: everything must succeed.
    for (let round = 0; round < 4; round++) {
      const from = freshLoopbackAddress();
      for (let i = 0; i < 5; i++) {
        const login = await send(auth.url, 'POST', '/auth/login', {
          body: { email, password: PASSWORD },
          localAddress: from,
          timeoutMs: 10_000,
        });
        const refreshed = await send(auth.url, 'POST', '/auth/refresh', {
          body: { refresh_token: refresh },
          localAddress: from,
          timeoutMs: 10_000,
        });
        if (refreshed.status === 200) refresh = refreshed.body.refresh_token;
        const me = await send(auth.url, 'GET', '/auth/me', {
          token: login.body?.access_token,
          timeoutMs: 10_000,
        });
        replies.push(login, refreshed, me);
      }
    }
    expectNone(
      replies.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.error ?? r.text}`),
      'requests failed while Redis was down',
    );
    expect((await send(auth.url, 'GET', '/health')).status).toBe(200);
    // Still ready: taking every instance out of rotation for a Redis blip would be an outage of
    // the health check's own making.
    const ready = await send(auth.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body?.status).toBe('degraded');
    expect(ready.body?.details?.redis?.status).toBe('degraded');

    // The limit still holds, per instance: one address gets LIMIT credential requests, then 429.
    const flooder = freshLoopbackAddress();
    const flood: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      // An unknown account: 401 each time, and no account lock in the way.
      const body = { email: `nobody-${i}@example.com`, password: 'wrong password' };
      flood.push(
        (await send(auth.url, 'POST', '/auth/login', { body, localAddress: flooder })).status,
      );
    }
    expect(flood.slice(0, 3)).toEqual([401, 401, 401]);
    expect(flood.slice(LIMIT)).toEqual([429, 429, 429]);

    expect(logLines(auth.output, DOWN_WARNING)).toHaveLength(1);
    expect(logLines(auth.output, BACK_NOTICE)).toHaveLength(0);

    await redis.start();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && logLines(auth.output, BACK_NOTICE).length === 0) {
      await send(auth.url, 'POST', '/auth/login', {
        body: { email, password: PASSWORD },
        localAddress: freshLoopbackAddress(),
      });
      await sleep(250);
    }
    for (let i = 0; i < 10; i++) {
      expect(
        (
          await send(auth.url, 'POST', '/auth/login', {
            body: { email, password: PASSWORD },
            localAddress: freshLoopbackAddress(),
          })
        ).status,
      ).toBe(200);
    }
    const readyAgain = await send(auth.url, 'GET', '/health/ready');
    expect(readyAgain.status).toBe(200);
    expect(readyAgain.body?.status).toBe('ok');
    expect(readyAgain.body?.details?.redis?.status).toBe('up');

    const noisy = logLines(auth.output, /ioredis|ECONNREFUSED/).filter(
      (line) => !line.includes(DOWN_WARNING),
    );
    process.stdout.write(
      `[reliability] Redis outage: ${replies.length} requests served while down; ` +
        `log lines: ${logLines(auth.output, DOWN_WARNING).length} "${DOWN_WARNING}", ` +
        `${logLines(auth.output, BACK_NOTICE).length} "${BACK_NOTICE}", ${noisy.length} other Redis error lines\n`,
    );
    expect(logLines(auth.output, DOWN_WARNING)).toHaveLength(1);
    expect(logLines(auth.output, BACK_NOTICE)).toHaveLength(1);
    // Not per request, and not per reconnection attempt either.
    expectNone(noisy, 'extra Redis error lines in the log');
    expect(auth.alive).toBe(true);
  }, 90_000);
});
