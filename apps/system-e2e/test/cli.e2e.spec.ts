import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

import { createPostgresDatabase, TEST_DATABASE_URL } from './reliability/support';
import { call, freePort, NO_ENV_FILE, ServiceProcess } from './service-process';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'apps', 'auth-api', 'cli.js');

describe('the admin CLI (npm run cli)', () => {
  let dataDir: string;
  const cli = (args: string[], input = '') =>
    spawnSync(process.execPath, [CLI, ...args], {
      input,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ENV_FILE: NO_ENV_FILE, DATA_DIR: dataDir },
    });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates a user with roles, reading the password from stdin, never from a flag', () => {
    const created = cli(
      ['users:create', 'Ada@Example.com', '--roles', 'editor'],
      'a strong password\n',
    );
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/created ada@example\.com \(.+\) with roles editor/);
    expect(created.stdout).not.toContain('a strong password');
    expect(cli(['users:create', 'ada@example.com'], 'another password\n').stderr).toContain(
      'already exists',
    );
    expect(cli(['users:create', 'bob@example.com'], 'short\n').status).toBe(1);
    expect(cli(['users:create', 'bob@example.com', '--password', 'x']).status).not.toBe(0);
  });

  it('lists, changes roles, disables, and refuses what it does not know', () => {
    expect(cli(['users:list']).stdout).toMatch(/ada@example\.com\s+editor\s+active/);
    expect(cli(['users:roles', 'ada@example.com', 'admin,editor']).status).toBe(0);
    expect(cli(['users:list']).stdout).toMatch(/ada@example\.com\s+admin,editor/);
    expect(cli(['users:roles', 'ada@example.com', 'root']).status).toBe(1);
    expect(cli(['users:disable', 'nobody@example.com']).status).toBe(1);
    expect(cli(['no-such-command']).status).toBe(2);
  });

  it('rotates keys and creates a service client that the running service honours', async () => {
    const rotated = cli(['keys:rotate']);
    expect(rotated.status).toBe(0);
    const kid = /signing with (\S+)/.exec(rotated.stdout)?.[1];
    const client = cli(['clients:create', 'reporting', '--scopes', 'stats:read']);
    const clientId = /client_id:\s+(\S+)/.exec(client.stdout)?.[1] as string;
    const secret = /client_secret:\s+(\S+)/.exec(client.stdout)?.[1] as string;

    const port = await freePort();
    const auth = new ServiceProcess('auth-api', port, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: `http://127.0.0.1:${port}`,
    });
    await auth.start();
    try {
      const login = await call(auth.url, 'POST', '/auth/login', {
        body: { email: 'ada@example.com', password: 'a strong password' },
      });
      expect(login.status).toBe(200);
      expect(
        JSON.parse(Buffer.from(login.body.access_token.split('.')[0], 'base64url').toString()).kid,
      ).toBe(kid);
      const granted = await call(auth.url, 'POST', '/oauth/token', {
        basic: [clientId, secret],
        form: { grant_type: 'client_credentials' },
      });
      expect(granted).toMatchObject({ status: 200, body: { scope: 'stats:read' } });

      expect(cli(['users:disable', 'ada@example.com']).stdout).toContain('disabled');
      expect(
        (
          await call(auth.url, 'POST', '/auth/login', {
            body: { email: 'ada@example.com', password: 'a strong password' },
          })
        ).status,
      ).toBe(401);
    } finally {
      expect(await auth.stop()).toBe(0);
    }
  });
});

/**
 * `db:migrate` is the init container of auth-api's Kubernetes Deployment
 * (deploy/kubernetes/base/auth-api/deployment.yaml): every pod runs it before the service starts.
 */
describe('the admin CLI: db:migrate (the Kubernetes init container)', () => {
  /** The timestamps of the migrations in the source (file names), oldest first. */
  const expectedTimestamps = readdirSync(
    join(ROOT, 'apps', 'auth-api', 'src', 'database', 'migrations'),
  )
    .map((file) => /^(\d{13})-.+\.ts$/.exec(file)?.[1])
    .filter((timestamp): timestamp is string => Boolean(timestamp))
    .sort();
  const KEY_ENCRYPTION_KEY = 'cli-db-migrate-key-encryption-key-0123456789';
  let dataDir: string;

  const env = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? '',
    ENV_FILE: NO_ENV_FILE,
    DATA_DIR: dataDir,
    KEY_ENCRYPTION_KEY,
    ...extra,
  });
  /** `db:migrate` as a child process that runs beside others (spawnSync would serialise them). */
  const migrate = (extra: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'db:migrate'], {
        env: env(extra),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (status) => resolve({ status, stdout, stderr }));
    });
  /** The timestamps of the `applied  <name>` lines, in the order printed. */
  const appliedTimestamps = (stdout: string) =>
    [...stdout.matchAll(/^applied {2}\S*?(\d{13})$/gm)].map((m) => m[1]);

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cli-migrate-e2e-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('knows the migrations of the source (the check below would otherwise prove nothing)', () => {
    expect(expectedTimestamps.length).toBeGreaterThanOrEqual(4);
  });

  it('migrates a new SQLite database, lists every migration oldest first, and is idempotent', async () => {
    for (let run = 0; run < 2; run++) {
      const result = await migrate();
      expect([result.status, result.stderr]).toEqual([0, '']);
      expect(appliedTimestamps(result.stdout)).toEqual(expectedTimestamps);
      expect(result.stdout).toContain(
        `${expectedTimestamps.length} migration(s) applied, none pending (better-sqlite3)`,
      );
    }
  });

  it('exits non-zero, saying why, when the database cannot be reached (the pod then waits)', async () => {
    const port = await freePort(); // nothing listens there
    const result = await migrate({ DATABASE_URL: `postgres://auth@127.0.0.1:${port}/auth` });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED|connect/);
    expect(result.stdout).not.toContain('applied');
  });

  (TEST_DATABASE_URL ? it : it.skip)(
    `on an empty PostgreSQL database, pods starting together migrate once${TEST_DATABASE_URL ? '' : ' (skipped: TEST_DATABASE_URL unset)'}`,
    async () => {
      const postgres = await createPostgresDatabase(TEST_DATABASE_URL!, 'cli_migrate');
      try {
        const results = await Promise.all(
          [1, 2, 3].map(() => migrate({ DATABASE_URL: postgres.url })),
        );
        for (const result of results) {
          expect([result.status, result.stderr]).toEqual([0, '']);
          expect(appliedTimestamps(result.stdout)).toEqual(expectedTimestamps);
          expect(result.stdout).toContain('none pending (postgres)');
        }
        const client = new Client({ connectionString: postgres.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ timestamp: string }>(
            'SELECT timestamp FROM migrations ORDER BY id',
          );
          expect(rows.map((row) => String(row.timestamp))).toEqual(expectedTimestamps);
        } finally {
          await client.end();
        }
      } finally {
        await postgres.drop();
      }
    },
  );
});
