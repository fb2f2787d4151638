import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** `ENV_FILE` for a process that must read no env file (an empty file, so none is read). */
export const NO_ENV_FILE = '/dev/null';

/** A free TCP port on the loopback (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * One built service running as a child process: `node dist/apps/<name>/main.js`, with only the
 * environment the test gives (and PORT, HOST). It runs in the repository root unless `cwd` is
 * given; there it reads no env file, so that a developer's `.env` cannot change a test.
 */
export class ServiceProcess {
  readonly output: string[] = [];
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly name: 'auth-api' | 'resource-api',
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly options: { cwd?: string } = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The child's pid while it runs (for RSS readings), else undefined. */
  get pid(): number | undefined {
    return this.alive ? this.child?.pid : undefined;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when the process has exited (at once if it never ran or already exited). */
  exited(): Promise<number | null> {
    return this.exit;
  }

  /** Starts the process and waits until `/health` answers 200. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', this.name, 'main.js')], {
      cwd: this.options.cwd ?? ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'warn',
        ...(this.options.cwd ? {} : { ENV_FILE: NO_ENV_FILE }),
        ...this.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`${this.name} exited early: ${this.output.join('')}`);
      try {
        if ((await fetch(`${this.url}/health`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${this.name} did not become healthy: ${this.output.join('')}`);
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} ignored SIGTERM`)), 12_000);
    });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The lines the service logged at level error or above (JSON logs), or that are not JSON (a
   * crash's stack trace). A suite prints them when it ends, so that a failure in CI shows what
   * the server saw; a healthy run of most suites has none.
   */
  errorLines(): string[] {
    return this.output
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .filter((line) => {
        try {
          return (JSON.parse(line) as { level?: number }).level! >= 50;
        } catch {
          return true;
        }
      });
  }

  kill(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** JSON over fetch, with the status. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    form?: Record<string, string>;
    basic?: [string, string];
  } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.basic)
    headers.authorization = `Basic ${Buffer.from(options.basic.join(':')).toString('base64')}`;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

/** Writes each service's {@link ServiceProcess.errorLines} to the test output, if it has any. */
export function reportServiceErrors(services: Array<ServiceProcess | undefined>): void {
  for (const service of services) {
    const lines = service?.errorLines() ?? [];
    if (lines.length === 0) continue;
    process.stdout.write(
      `[${service!.name} :${service!.port}] logged ${lines.length} error line(s):\n${lines.join('\n')}\n`,
    );
  }
}
