import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, NO_ENV_FILE } from './service-process';

const ROOT = join(__dirname, '..', '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out');
}

/** `npm start` runs scripts/start.mjs after the build: both services, one Ctrl-C or SIGTERM stops both. */
describe('scripts/start.mjs', () => {
  let dataDir: string;
  let starter: ChildProcess;
  let output = '';
  let childPids: number[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'start-script-'));
  });
  /** Runs scripts/start.mjs with only `env` (and PATH); resolves `exited` with its exit code. */
  function runStartScript(env: Record<string, string>): Promise<number | null> {
    starter = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    output = '';
    starter.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    starter.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise<number | null>((resolve) => starter.once('exit', (code) => resolve(code)));
  }

  afterAll(() => {
    // A failed assertion must not leave the services running.
    for (const pid of childPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (starter?.exitCode === null) starter.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'runs both services, tells their logs apart, and %s stops both with no orphan',
    async (signal) => {
      const [authPort, resourcePort] = [await freePort(), await freePort()];
      const exited = runStartScript({
        ENV_FILE: NO_ENV_FILE,
        DATA_DIR: dataDir,
        AUTH_API_PORT: String(authPort),
        RESOURCE_API_PORT: String(resourcePort),
        ADMIN_EMAIL: 'start-admin@example.com',
        ADMIN_PASSWORD: 'start-admin-password',
      });

      const healthy = async (port: number) =>
        (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200;
      await waitFor(async () => (await healthy(authPort)) && (await healthy(resourcePort)), 30_000);
      await waitFor(
        () =>
          output.includes(`http://127.0.0.1:${resourcePort}`) &&
          output.includes('start-admin@example.com'),
        10_000,
      );
      expect(output).toContain(`http://127.0.0.1:${authPort}`);
      expect(output).toMatch(/^\[auth-api\]/m);
      expect(output).toMatch(/^\[resource-api\]/m);
      expect(output).not.toContain('start-admin-password');
      // Moved off the default port without AUTH_ISSUER, the pair still works together.
      const login = await fetch(`http://127.0.0.1:${authPort}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'start-admin@example.com',
          password: 'start-admin-password',
        }),
      });
      const { access_token: accessToken } = (await login.json()) as { access_token: string };
      const me = await fetch(`http://127.0.0.1:${resourcePort}/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(me.status).toBe(200);

      childPids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(starter.pid)], {
        encoding: 'utf8',
      })
        .split('\n')
        .map((line) => Number(line.trim()))
        .filter((pid) => pid > 0);
      expect(childPids).toHaveLength(2);
      starter.kill(signal);
      expect(await exited).toBe(0);
      expect(await healthy(authPort)).toBe(false);
      expect(await healthy(resourcePort)).toBe(false);
      for (const pid of new Set(childPids)) expect(alive(pid)).toBe(false);
    },
  );

  it('announces the HOST and ports the services read from the env file, and finds them ready there', async () => {
    const [authPort, resourcePort] = [await freePort(), await freePort()];
    // Another loopback address than the default, named only in the file.
    const host = '127.0.0.2';
    const envFile = join(dataDir, 'start.env');
    writeFileSync(
      envFile,
      [
        `HOST=${host}`,
        `AUTH_API_PORT=${authPort}`,
        `RESOURCE_API_PORT=${resourcePort}`,
        `AUTH_ISSUER=http://${host}:${authPort}`,
        `DATA_DIR=${dataDir}`,
        'ADMIN_EMAIL=file-admin@example.com',
        'ADMIN_PASSWORD="file admin password"',
      ].join('\n'),
    );
    // Nothing but the file's path in the real environment.
    const exited = runStartScript({ ENV_FILE: envFile });
    await waitFor(() => output.includes('Press Ctrl-C to stop both services.'), 40_000);
    expect(output).toContain(`http://${host}:${authPort}/console`);
    expect(output).toContain(`http://${host}:${resourcePort}`);
    expect(output).toContain('Admin account: file-admin@example.com');
    expect(output).not.toContain('not healthy after');
    expect(output).not.toContain('file admin password');
    expect((await fetch(`http://${host}:${resourcePort}/health`)).status).toBe(200);
    starter.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
