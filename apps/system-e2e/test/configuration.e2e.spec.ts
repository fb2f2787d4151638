import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { call, freePort, NO_ENV_FILE, ServiceProcess } from './service-process';

const DIST = join(__dirname, '..', '..', '..', 'dist', 'apps');
type Service = 'auth-api' | 'resource-api';

/** Runs a built entry point (`auth-api/cli.js users:list`) to its end, with only the environment given. */
function run(
  [entry, ...args]: string[],
  env: Record<string, string>,
  options: { cwd?: string; input?: string } = {},
) {
  return spawnSync(process.execPath, [join(DIST, entry), ...args], {
    cwd: options.cwd,
    input: options.input,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** Configuration through @nestjs/config, seen from outside: the built processes, their exit and output. */
describe('configuration of the built services', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'configuration-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeEnvFile = (lines: string[], name = '.env'): string => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };

  it.each<[Service, string, string, string]>([
    ['auth-api', 'PORT', 'abc', 'PORT="abc" is invalid: expected an integer from 0 to 65535'],
    [
      'auth-api',
      'JWT_ALG',
      'HS256',
      'JWT_ALG="HS256" is invalid: expected one of ES256, RS256, PS256',
    ],
    [
      'auth-api',
      'DATABASE_URL',
      'mysql://db/auth',
      'DATABASE_URL is invalid: expected a postgres or postgresql URL',
    ],
    [
      'auth-api',
      'KEY_ENCRYPTION_KEY',
      'too short',
      'KEY_ENCRYPTION_KEY is invalid: expected at least 32 characters',
    ],
    [
      'resource-api',
      'PORT',
      '70000',
      'PORT="70000" is invalid: expected an integer from 0 to 65535',
    ],
    [
      'resource-api',
      'AUTH_JWKS_URI',
      'file:///etc/passwd',
      'AUTH_JWKS_URI is invalid: expected a http or https URL',
    ],
    [
      'resource-api',
      'METRICS_ENABLED',
      'maybe',
      'METRICS_ENABLED="maybe" is invalid: expected true or false',
    ],
  ])(
    '%s with %s=%s exits 1 with one line naming the variable and what it allows',
    (service, name, value, message) => {
      const result = run([`${service}/main.js`], {
        ENV_FILE: NO_ENV_FILE,
        DATA_DIR: dir,
        [name]: value,
      });
      expect(result.stderr).toBe(`${service}: invalid configuration: ${message}\n`);
      expect(result.stdout).toBe('');
      expect(result.status).toBe(1);
    },
  );

  it.each<Service>(['auth-api', 'resource-api'])(
    '%s refuses a bad value from .env in its working directory the same way',
    (service) => {
      writeEnvFile(['# comments and blank lines are fine', '', 'LOG_LEVEL=loud']);
      const result = run([`${service}/main.js`], {}, { cwd: dir });
      expect(result.stderr).toBe(
        `${service}: invalid configuration: LOG_LEVEL="loud" is invalid: expected one of fatal, error, warn, info, debug, trace\n`,
      );
      expect(result.status).toBe(1);
    },
  );

  it('reads ENV_FILE instead of .env, and stops with one line when it cannot read it', () => {
    writeEnvFile(['JWT_ALG=HS256']);
    const other = writeEnvFile(['ACCESS_TOKEN_TTL=5'], 'other.env');
    const named = run(['auth-api/main.js'], { ENV_FILE: other, DATA_DIR: dir }, { cwd: dir });
    expect(named.stderr).toBe(
      'auth-api: invalid configuration: ACCESS_TOKEN_TTL="5" is invalid: expected an integer from 30 to 86400\n',
    );
    const missing = join(dir, 'missing.env');
    const unreadable = run(['auth-api/main.js'], { ENV_FILE: missing }, { cwd: dir });
    expect(unreadable.stderr).toBe(
      `auth-api: invalid configuration: ENV_FILE=${JSON.stringify(missing)} is invalid: expected a readable file\n`,
    );
    expect(unreadable.status).toBe(1);
  });

  it('auth-api takes its variables from .env, the real environment winning where both set one', async () => {
    const port = await freePort();
    // PORT and ACCESS_TOKEN_TTL are overridden by the environment; a bad PORT here would stop it.
    writeEnvFile([
      'PORT=abc',
      'AUTH_ISSUER=http://issuer-from-dotenv.test',
      'DATA_DIR=./state',
      'ACCESS_TOKEN_TTL=600',
    ]);
    const auth = new ServiceProcess('auth-api', port, { ACCESS_TOKEN_TTL: '700' }, { cwd: dir });
    try {
      await auth.start();
      const metadata = await call(auth.url, 'GET', '/.well-known/oauth-authorization-server');
      expect(metadata.body.issuer).toBe('http://issuer-from-dotenv.test');
      const credentials = { email: 'dotenv@example.com', password: 'correct horse battery' };
      expect((await call(auth.url, 'POST', '/auth/register', { body: credentials })).status).toBe(
        201,
      );
      const login = await call(auth.url, 'POST', '/auth/login', { body: credentials });
      expect(login.body.expires_in).toBe(700);
      // DATA_DIR from .env, relative to the working directory.
      expect(existsSync(join(dir, 'state', 'auth.sqlite'))).toBe(true);
    } finally {
      expect(await auth.stop()).toBe(0);
    }
  });

  it('resource-api takes its variables from .env too', async () => {
    const port = await freePort();
    writeEnvFile(['METRICS_ENABLED=true', 'LOG_LEVEL=loud']);
    const resource = new ServiceProcess('resource-api', port, { LOG_LEVEL: 'warn' }, { cwd: dir });
    try {
      await resource.start();
      expect((await fetch(`${resource.url}/metrics`)).status).toBe(200);
    } finally {
      expect(await resource.stop()).toBe(0);
    }
    const withoutFile = new ServiceProcess('resource-api', port, {});
    try {
      await withoutFile.start();
      expect((await fetch(`${withoutFile.url}/metrics`)).status).toBe(404);
    } finally {
      await withoutFile.stop();
    }
  });

  it('the admin CLI reads the same .env, and refuses a bad value with one line', () => {
    writeEnvFile(['DATA_DIR=./cli-state']);
    const created = run(
      ['auth-api/cli.js', 'users:create', 'ada@example.com'],
      {},
      { cwd: dir, input: 'a strong password\n' },
    );
    expect(created.stdout).toContain('created ada@example.com');
    expect(created.status).toBe(0);
    expect(existsSync(join(dir, 'cli-state', 'auth.sqlite'))).toBe(true);

    writeEnvFile(['DATA_DIR=./cli-state', 'REFRESH_TOKEN_TTL=1']);
    const refused = run(['auth-api/cli.js', 'users:list'], {}, { cwd: dir });
    expect(refused.stderr).toBe(
      'error: REFRESH_TOKEN_TTL="1" is invalid: expected an integer from 60 to 31536000\n',
    );
    expect(refused.status).toBe(1);
  });
});
