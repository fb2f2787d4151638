import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { call, freePort, NO_ENV_FILE, ServiceProcess } from './service-process';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'apps', 'auth-api', 'cli.js');

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
