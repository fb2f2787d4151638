import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, ServiceProcess } from '../service-process';
import {
  createPostgresDatabase,
  describeWhen,
  expectNone,
  PASSWORD,
  type Reply,
  send,
  sleep,
  TcpProxy,
  TEST_DATABASE_URL,
} from './support';

/** No request may take longer than this, database or not (the pool gives up after 3 s). */
const ANSWER_BOUND_MS = 8000;
/** After the database returns, auth-api must serve again within this. */
const RECOVERY_BOUND_MS = 15_000;

type Phase = 'before' | 'outage' | 'after';

/**
 * PostgreSQL taken away during load (through a TCP relay that closes every connection and then
 * refuses new ones, as a stopped server does) and given back: auth-api answers 503, never a 500,
 * a crash or a hang, `/health` says 503, and it serves again by itself once the database is back.
 */
describeWhen(TEST_DATABASE_URL, 'TEST_DATABASE_URL is not set (needs PostgreSQL)')(
  'PostgreSQL outage under load',
  () => {
    let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
    let proxy: TcpProxy;
    let auth: ServiceProcess;
    let dataDir: string;

    beforeAll(async () => {
      database = await createPostgresDatabase(TEST_DATABASE_URL!, 'reliability_pg_outage');
      const target = new URL(database.url);
      proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      await proxy.up();
      const viaProxy = new URL(database.url);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      dataDir = mkdtempSync(join(tmpdir(), 'reliability-pg-'));
      const port = await freePort();
      auth = new ServiceProcess('auth-api', port, {
        DATABASE_URL: viaProxy.toString(),
        DATA_DIR: dataDir,
        AUTH_ISSUER: `http://127.0.0.1:${port}`,
        RATE_LIMIT_PER_MINUTE: '1000000',
        KEY_RELOAD_SECONDS: '1',
        // A refresh whose response the outage swallowed may have rotated: its token must still
        // be honoured afterwards (within the reuse interval), not treated as a replay.
        REFRESH_REUSE_INTERVAL: '120',
      });
      await auth.start();
    });

    afterAll(async () => {
      auth?.kill();
      await auth?.exited();
      await proxy?.down();
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('answers 503 while the database is away, and recovers by itself', async () => {
      // A few users with sessions, made while the database is up.
      const users: Array<{ email: string; access: string; refresh: string }> = [];
      for (let i = 0; i < 4; i++) {
        const email = `pg-outage-${Date.now()}-${i}@example.com`;
        expect(
          (await send(auth.url, 'POST', '/auth/register', { body: { email, password: PASSWORD } }))
            .status,
        ).toBe(201);
        const login = await send(auth.url, 'POST', '/auth/login', {
          body: { email, password: PASSWORD },
        });
        expect(login.status).toBe(200);
        users.push({ email, access: login.body.access_token, refresh: login.body.refresh_token });
      }

      let phase: Phase = 'before';
      let running = true;
      const seen: Array<{ phase: Phase; what: string; reply: Reply }> = [];
      const worker = async (user: (typeof users)[number], index: number) => {
        let n = 0;
        while (running) {
          n += 1;
          const at = phase;
          const kind = (n + index) % 4;
          let what: string;
          let reply: Reply;
          if (kind === 0) {
            what = 'refresh';
            reply = await send(auth.url, 'POST', '/auth/refresh', {
              body: { refresh_token: user.refresh },
              timeoutMs: ANSWER_BOUND_MS,
            });
            if (reply.status === 200) user.refresh = reply.body.refresh_token;
          } else if (kind === 1) {
            what = 'me';
            reply = await send(auth.url, 'GET', '/auth/me', {
              token: user.access,
              timeoutMs: ANSWER_BOUND_MS,
            });
          } else if (kind === 2) {
            what = 'register';
            const email = `pg-outage-extra-${Date.now()}-${index}-${n}@example.com`;
            reply = await send(auth.url, 'POST', '/auth/register', {
              body: { email, password: PASSWORD },
              timeoutMs: ANSWER_BOUND_MS,
            });
          } else {
            what = 'login';
            reply = await send(auth.url, 'POST', '/auth/login', {
              body: { email: user.email, password: PASSWORD },
              timeoutMs: ANSWER_BOUND_MS,
            });
            if (reply.status === 200) user.access = reply.body.access_token;
          }
          seen.push({ phase: at === phase ? at : 'outage', what, reply });
          await sleep(20);
        }
      };
      const load = users.map((user, index) => worker(user, index));

      await sleep(1500);
      phase = 'outage';
      await proxy.down();
      await sleep(1000);
      const healthDown = await send(auth.url, 'GET', '/health', { timeoutMs: ANSWER_BOUND_MS });
      const readyDown = await send(auth.url, 'GET', '/health/ready', {
        timeoutMs: ANSWER_BOUND_MS,
      });
      const liveDown = await send(auth.url, 'GET', '/health/live', { timeoutMs: ANSWER_BOUND_MS });
      await sleep(3000);

      await proxy.up();
      const back = Date.now();
      let recoveredAfter = -1;
      while (Date.now() - back < RECOVERY_BOUND_MS) {
        const health = await send(auth.url, 'GET', '/health', { timeoutMs: ANSWER_BOUND_MS });
        const login = await send(auth.url, 'POST', '/auth/login', {
          body: { email: users[0].email, password: PASSWORD },
          timeoutMs: ANSWER_BOUND_MS,
        });
        if (health.status === 200 && login.status === 200) {
          recoveredAfter = Date.now() - back;
          break;
        }
        await sleep(200);
      }
      phase = 'after';
      await sleep(2000);
      running = false;
      await Promise.all(load);

      const summary = (p: Phase) =>
        seen
          .filter((s) => s.phase === p)
          .reduce<Record<string, number>>((acc, s) => {
            const key = `${s.what}:${s.reply.status}${s.reply.error ? `(${s.reply.error})` : ''}`;
            acc[key] = (acc[key] ?? 0) + 1;
            return acc;
          }, {});
      const slowest = Math.max(...seen.map((s) => s.reply.ms));
      process.stdout.write(
        `[reliability] PostgreSQL outage: before ${JSON.stringify(summary('before'))}\n` +
          `  outage ${JSON.stringify(summary('outage'))}\n  after ${JSON.stringify(summary('after'))}\n` +
          `  /health during outage ${healthDown.status} in ${healthDown.ms} ms; recovered ${recoveredAfter} ms after the database returned; slowest answer ${slowest} ms\n`,
      );

      expect(auth.alive).toBe(true);
      expect(healthDown.status).toBe(503);
      expect(healthDown.body).toMatchObject({
        status: 'error',
        error: { database: { status: 'down' } },
      });
      expect(readyDown.status).toBe(503);
      expect(liveDown.status).toBe(200);
      expect(recoveredAfter).toBeGreaterThanOrEqual(0);

      // Every request got an answer within the bound; none was a 5xx other than 503.
      expectNone(
        seen
          .filter((s) => s.reply.status === 0)
          .map((s) => `${s.phase} ${s.what}: ${s.reply.error}`),
        'requests got no answer in time',
      );
      expectNone(
        seen
          .filter((s) => s.reply.status >= 500 && s.reply.status !== 503)
          .map((s) => `${s.phase} ${s.what}: ${s.reply.text}`),
        'requests got a 5xx other than 503',
      );
      const outage = seen.filter((s) => s.phase === 'outage' && s.reply.status >= 500);
      expect(outage.length).toBeGreaterThan(0);
      for (const s of outage)
        expect(s.reply.body).toMatchObject({ statusCode: 503, error: 'service_unavailable' });
      // Before and after, the database-backed endpoints simply work.
      expectNone(
        seen
          .filter((s) => s.phase !== 'outage' && s.reply.status >= 400)
          .map((s) => `${s.phase} ${s.what}: ${s.reply.status} ${s.reply.text}`),
        'requests failed with the database up',
      );
    }, 90_000);
  },
);
