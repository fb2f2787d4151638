import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, ServiceProcess } from '../service-process';
import { expectNone, PASSWORD, type Reply, send, sleep } from './support';

interface SqliteDatabase {
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}
// better-sqlite3 ships no types; auth-api uses it through TypeORM.
const Sqlite = createRequire(__filename)('better-sqlite3') as new (path: string) => SqliteDatabase;

/** One session as a client sees it: the last refresh token it RECEIVED (with a 200). */
interface Chain {
  email: string;
  sid: string;
  refresh: string;
  access: string;
}

const WORKERS = 6;
const ROUNDS = 2;

function sidOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;
}

/** The generation a refresh token names (`base64url(session id ‖ generation ‖ HMAC)`). */
function generationOf(refreshToken: string): number {
  return Buffer.from(refreshToken, 'base64url').readUInt32BE(16);
}

/**
 * `kill -9` of auth-api (embedded SQLite) in the middle of registrations, logins and refreshes,
 * then a restart on the same DATA_DIR, twice over. Nothing acknowledged is lost:
 * - every registration answered 201 can log in;
 * - every session's last refresh token answered 200 still refreshes, and the session then goes on
 *   rotating normally (no session left half-rotated); its access token still works.
 * Each session has at most one request in flight. A refresh whose response the kill swallowed may
 * have rotated the session; its client still holds the previous token, which the contract honours
 * within REFRESH_REUSE_INTERVAL (set long here, so that restart time never counts against it).
 * The SQLite file passes `PRAGMA integrity_check` after each kill.
 */
describe('kill -9 of auth-api during load, then restart (SQLite)', () => {
  let dataDir: string;
  let port: number;
  let auth: ServiceProcess;
  const registered = new Set<string>();
  const chains: Chain[] = [];
  let unexpected: string[] = [];

  const startAuth = async () => {
    auth = new ServiceProcess('auth-api', port, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: `http://127.0.0.1:${port}`,
      RATE_LIMIT_PER_MINUTE: '1000000',
      REFRESH_REUSE_INTERVAL: '300',
    });
    await auth.start();
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'reliability-crash-'));
    port = await freePort();
    await startAuth();
  });

  afterAll(async () => {
    auth?.kill();
    await auth?.exited();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Mixed load until the process dies; returns how many requests were in flight at the kill. */
  async function loadUntilKilled(
    round: number,
    killAfterMs: number,
  ): Promise<{ requests: number; lost: number }> {
    let requests = 0;
    let lost = 0;
    const worker = async (w: number) => {
      const mine = chains.filter((_, i) => i % WORKERS === w);
      const myUsers = [...registered].filter((_, i) => i % WORKERS === w);
      for (let n = 0; ; n++) {
        const pick = n % 5;
        let reply: Reply;
        requests += 1;
        if (pick === 0 || myUsers.length === 0) {
          const email = `crash-r${round}-w${w}-${n}-${Date.now()}@example.com`;
          reply = await send(auth.url, 'POST', '/auth/register', {
            body: { email, password: PASSWORD },
            timeoutMs: 20_000,
          });
          if (reply.status === 201) {
            registered.add(email);
            myUsers.push(email);
          }
        } else if (pick === 1 || mine.length === 0) {
          const email = myUsers[n % myUsers.length];
          reply = await send(auth.url, 'POST', '/auth/login', {
            body: { email, password: PASSWORD },
            timeoutMs: 20_000,
          });
          if (reply.status === 200) {
            const chain = {
              email,
              sid: sidOf(reply.body.access_token),
              refresh: reply.body.refresh_token,
              access: reply.body.access_token,
            };
            chains.push(chain);
            mine.push(chain);
          }
        } else {
          const chain = mine[n % mine.length];
          reply = await send(auth.url, 'POST', '/auth/refresh', {
            body: { refresh_token: chain.refresh },
            timeoutMs: 20_000,
          });
          if (reply.status === 200) {
            chain.refresh = reply.body.refresh_token;
            chain.access = reply.body.access_token;
          }
        }
        if (reply.status === 0) {
          lost += 1;
          return; // the process is gone: this response was lost
        }
        if (reply.status >= 300) unexpected.push(`${reply.status} ${reply.text}`);
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    await sleep(killAfterMs);
    auth.kill();
    await auth.exited();
    await Promise.all(workers);
    return { requests, lost };
  }

  function integrityCheck(): string {
    const db = new Sqlite(join(dataDir, 'auth.sqlite'));
    try {
      return db.pragma('integrity_check', { simple: true }) as string;
    } finally {
      db.close();
    }
  }

  /** Sessions whose stored generation is ahead of the client's last token: rotations whose 200 the kill swallowed. */
  function generationsAhead(): { ahead: number; problems: string[] } {
    const db = new Sqlite(join(dataDir, 'auth.sqlite'));
    try {
      const rows = db.prepare('SELECT id, generation FROM sessions').all() as Array<{
        id: string;
        generation: number;
      }>;
      const stored = new Map(rows.map((row) => [row.id, row.generation]));
      let ahead = 0;
      const problems: string[] = [];
      for (const chain of chains) {
        const held = generationOf(chain.refresh);
        const current = stored.get(chain.sid);
        if (current === undefined) problems.push(`session ${chain.sid} is gone`);
        else if (current === held + 1) ahead += 1;
        // One request in flight per session: at most one rotation the client did not see.
        else if (current !== held)
          problems.push(
            `session ${chain.sid} is at generation ${current}, its client holds ${held}`,
          );
      }
      return { ahead, problems };
    } finally {
      db.close();
    }
  }

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: loses nothing acknowledged and keeps the file sound`, async () => {
      unexpected = [];
      const { requests, lost } = await loadUntilKilled(
        round,
        2500 + Math.floor(Math.random() * 1500),
      );
      expectNone(unexpected, 'unexpected answers before the kill');
      expect(auth.alive).toBe(false);
      expect(integrityCheck()).toBe('ok');
      const { ahead, problems } = generationsAhead();
      expectNone(problems, 'sessions out of step with what their clients were told');

      await startAuth();
      const failures: string[] = [];
      const users = [...registered];
      // A few at a time: logins hash passwords (argon2), which two cores do slowly.
      for (let i = 0; i < users.length; i += 4) {
        await Promise.all(
          users.slice(i, i + 4).map(async (email) => {
            const login = await send(auth.url, 'POST', '/auth/login', {
              body: { email, password: PASSWORD },
            });
            if (login.status !== 200)
              failures.push(`login of ${email}: ${login.status} ${login.text}`);
          }),
        );
      }
      for (let i = 0; i < chains.length; i += 8) {
        await Promise.all(
          chains.slice(i, i + 8).map(async (chain) => {
            const me = await send(auth.url, 'GET', '/auth/me', { token: chain.access });
            if (me.status !== 200)
              failures.push(`access token of session ${chain.sid}: ${me.status} ${me.text}`);
            const first = await send(auth.url, 'POST', '/auth/refresh', {
              body: { refresh_token: chain.refresh },
            });
            if (first.status !== 200) {
              failures.push(
                `last refresh token of session ${chain.sid}: ${first.status} ${first.text}`,
              );
              return;
            }
            if (sidOf(first.body.access_token) !== chain.sid)
              failures.push(`session ${chain.sid} came back as another session`);
            const second = await send(auth.url, 'POST', '/auth/refresh', {
              body: { refresh_token: first.body.refresh_token },
            });
            if (second.status !== 200) {
              failures.push(
                `session ${chain.sid} does not rotate after the restart: ${second.status} ${second.text}`,
              );
              return;
            }
            Object.assign(chain, {
              refresh: second.body.refresh_token,
              access: second.body.access_token,
            });
          }),
        );
      }
      process.stdout.write(
        `[reliability] kill -9 round ${round}: ${requests} requests, ${lost} lost in the kill ` +
          `(${ahead} of them refreshes that had rotated); ` +
          `checked ${users.length} registered users and ${chains.length} sessions after restart\n`,
      );
      expectNone(failures, 'acknowledged writes lost or broken by the kill');
      expect(users.length).toBeGreaterThan(0);
      expect(chains.length).toBeGreaterThan(0);
    }, 120_000);
  }

  it('shuts down cleanly at the end, and the file is still sound', async () => {
    expect(await auth.stop()).toBe(0);
    expect(integrityCheck()).toBe('ok');
  });
});
