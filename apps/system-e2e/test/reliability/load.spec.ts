import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, reportServiceErrors, ServiceProcess } from '../service-process';
import {
  createPostgresDatabase,
  describeWhen,
  expectNone,
  FULL_LOAD,
  mib,
  PASSWORD,
  type Reply,
  rssOf,
  send,
  sleep,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
} from './support';

const CONNECTIONS = 64;
/** 60 s with RELIABILITY_LOAD=1, else the short run of the production step (LOAD_SECONDS overrides). */
const SECONDS = Number(process.env.LOAD_SECONDS ?? (FULL_LOAD ? 60 : 10));
const USERS = 16;

type Kind = 'login' | 'refresh' | 'read';

/**
 * A mixed load against both built services at 64 concurrent connections: logins (argon2),
 * refreshes (a rotation in the database each), and guarded reads on resource-api (`GET /me`,
 * a token verification each). Zero errors, zero 5xx, both processes alive. Memory is measured
 * and printed (peak RSS, growth), not asserted: the benchmarks report those figures.
 *
 * PostgreSQL and Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set, else SQLite and memory.
 */
describeWhen(
  FULL_LOAD || TEST_DATABASE_URL,
  'neither RELIABILITY_LOAD=1 nor TEST_DATABASE_URL is set (the production step runs the short version)',
)(`mixed load: ${CONNECTIONS} connections for ${SECONDS} s`, () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  let dataDir: string;
  let auth: ServiceProcess;
  let resource: ServiceProcess;
  const agents = [
    new Agent({ keepAlive: true, maxSockets: CONNECTIONS }),
    new Agent({ keepAlive: true, maxSockets: CONNECTIONS }),
  ];

  beforeAll(async () => {
    if (TEST_DATABASE_URL)
      database = await createPostgresDatabase(TEST_DATABASE_URL, 'reliability_load');
    dataDir = mkdtempSync(join(tmpdir(), 'reliability-load-'));
    const [authPort, resourcePort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${authPort}`;
    auth = new ServiceProcess('auth-api', authPort, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: issuer,
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(TEST_REDIS_URL ? { REDIS_URL: ownRedisDatabase(TEST_REDIS_URL) } : {}),
    });
    resource = new ServiceProcess('resource-api', resourcePort, { AUTH_ISSUER: issuer });
    await Promise.all([auth.start(), resource.start()]);
  });

  afterAll(async () => {
    reportServiceErrors([auth, resource]);
    auth?.kill();
    resource?.kill();
    await Promise.all([auth?.exited(), resource?.exited()]);
    for (const agent of agents) agent.destroy();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'answers everything, with no error and no 5xx, and both processes stay up',
    async () => {
      const [authAgent, resourceAgent] = agents;
      const emails = Array.from({ length: USERS }, (_, i) => `load-${Date.now()}-${i}@example.com`);
      for (const email of emails) {
        expect(
          (
            await send(auth.url, 'POST', '/auth/register', {
              body: { email, password: PASSWORD },
              agent: authAgent,
            })
          ).status,
        ).toBe(201);
      }
      // One session per connection: each has at most one request in flight.
      const sessions: Array<{ email: string; access: string; refresh: string }> = [];
      for (let i = 0; i < CONNECTIONS; i++) {
        const email = emails[i % USERS];
        const login = await send(auth.url, 'POST', '/auth/login', {
          body: { email, password: PASSWORD },
          agent: authAgent,
        });
        expect(login.status).toBe(200);
        sessions.push({
          email,
          access: login.body.access_token,
          refresh: login.body.refresh_token,
        });
      }

      const latencies: Record<Kind, number[]> = { login: [], refresh: [], read: [] };
      const errors: string[] = [];
      const rss = { auth: [] as number[], resource: [] as number[] };
      const sample = () => {
        const a = rssOf(auth.pid);
        const r = rssOf(resource.pid);
        if (a) rss.auth.push(a);
        if (r) rss.resource.push(r);
      };
      sample();
      const sampler = setInterval(sample, 500);

      const deadline = Date.now() + SECONDS * 1000;
      const worker = async (w: number) => {
        const session = sessions[w];
        for (let n = 0; Date.now() < deadline; n++) {
          // 1 login, 4 refreshes, 15 guarded reads in every 20 requests.
          const slot = (n + w) % 20;
          const kind: Kind = slot === 0 ? 'login' : slot <= 4 ? 'refresh' : 'read';
          let reply: Reply;
          if (kind === 'login') {
            reply = await send(auth.url, 'POST', '/auth/login', {
              body: { email: session.email, password: PASSWORD },
              agent: authAgent,
              timeoutMs: 30_000,
            });
            if (reply.status === 200) session.access = reply.body.access_token;
          } else if (kind === 'refresh') {
            reply = await send(auth.url, 'POST', '/auth/refresh', {
              body: { refresh_token: session.refresh },
              agent: authAgent,
              timeoutMs: 30_000,
            });
            if (reply.status === 200)
              Object.assign(session, {
                access: reply.body.access_token,
                refresh: reply.body.refresh_token,
              });
          } else {
            reply = await send(resource.url, 'GET', '/me', {
              token: session.access,
              agent: resourceAgent,
              timeoutMs: 30_000,
            });
          }
          if (reply.status === 200) latencies[kind].push(reply.ms);
          else errors.push(`${kind}: ${reply.status} ${reply.error ?? reply.text.slice(0, 200)}`);
        }
      };
      const started = Date.now();
      await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
      const elapsed = (Date.now() - started) / 1000;
      clearInterval(sampler);
      sample();

      const total =
        Object.values(latencies).reduce((sum, list) => sum + list.length, 0) + errors.length;
      const pct = (list: number[], p: number) => {
        const sorted = [...list].sort((x, y) => x - y);
        return sorted.length
          ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
          : 0;
      };
      const line = (kind: Kind) =>
        `${kind} ${latencies[kind].length} (${(latencies[kind].length / elapsed).toFixed(0)}/s, p50 ${pct(latencies[kind], 50)} ms, p99 ${pct(latencies[kind], 99)} ms)`;
      const memory = (name: 'auth' | 'resource') => {
        const list = rss[name];
        return `${name}: start ${mib(list[0])}, peak ${mib(Math.max(...list))}, end ${mib(list[list.length - 1])}, growth ${mib(list[list.length - 1] - list[0])}`;
      };
      process.stdout.write(
        `[reliability] load ${CONNECTIONS} connections, ${elapsed.toFixed(1)} s on ${database ? 'PostgreSQL' : 'SQLite'}${TEST_REDIS_URL ? ' + Redis' : ''}: ` +
          `${total} requests, ${errors.length} errors; ${line('login')}; ${line('refresh')}; ${line('read')}\n` +
          `  RSS ${memory('auth')}; ${memory('resource')}\n`,
      );

      expectNone(errors, 'requests failed under load');
      expect([auth.alive, resource.alive]).toEqual([true, true]);
      expect(latencies.login.length).toBeGreaterThan(0);
      expect(latencies.refresh.length).toBeGreaterThan(0);
      expect(latencies.read.length).toBeGreaterThan(0);
      // Still serving normally afterwards.
      await sleep(100);
      expect((await send(auth.url, 'GET', '/health')).status).toBe(200);
      expect((await send(resource.url, 'GET', '/me', { token: sessions[0].access })).status).toBe(
        200,
      );
    },
    (SECONDS + 120) * 1000,
  );
});

/**
 * The same Redis server, its own logical database: rate-limit counters are per client IP, and the
 * suites that exhaust a small limit on purpose (many-instances) leave 127.0.0.1 blocked for a
 * minute in the shared keyspace, which this suite's registrations would otherwise inherit.
 */
function ownRedisDatabase(url: string): string {
  const own = new URL(url);
  own.pathname = '/9';
  return own.toString();
}
