import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer, type Server, Socket } from 'node:net';
import { Client } from 'pg';

import { freePort } from '../service-process';

/** PostgreSQL server to create throw-away databases on (`.ci/run`'s production step sets it). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
/** A running Redis (`.ci/run`'s production step sets it). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
/** `RELIABILITY_LOAD=1`: the load suite runs its full 60 s instead of the short 10 s version. */
export const FULL_LOAD = process.env.RELIABILITY_LOAD === '1';

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
export const PASSWORD = 'correct horse battery';
/** Shared by every auth-api instance on one database (each would otherwise seal keys with its own). */
export const KEY_ENCRYPTION_KEY = 'reliability-suite-key-encryption-key-0123456789';

/**
 * `describe` when `condition` holds, else `describe.skip` with the reason printed once, so that
 * a run without the services says what it did not test instead of passing silently.
 */
export function describeWhen(condition: unknown, reason: string): jest.Describe {
  if (condition) return describe;
  return ((name: string, fn: () => void) => {
    process.stdout.write(`[reliability] skipped "${name}": ${reason}\n`);
    describe.skip(name, fn);
  }) as unknown as jest.Describe;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A loopback source address of its own (127.x.y.z): a fresh client IP for per-IP rate limits. */
export function freshLoopbackAddress(): string {
  return `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
}

export interface Reply {
  /**
   * 0 when no HTTP response came (connection refused or reset, or the deadline passed); -1 when
   * node:http refused to send the request at all (e.g. a NUL in a header).
   */
  status: number;
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
  error?: string;
}

export interface SendOptions {
  token?: string;
  /** An object is sent as JSON; a string or Buffer is sent as is (with `contentType`). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  /** Source address of the connection (see {@link freshLoopbackAddress}). */
  localAddress?: string;
  /** `false`: a connection of its own, closed after the exchange (never a reused keep-alive one). */
  agent?: Agent | false;
  /** The whole exchange must finish within this; else status 0, error 'timeout'. */
  timeoutMs?: number;
}

/**
 * One HTTP exchange over node:http that never throws: network failures and timeouts come back
 * as status 0. Unlike fetch it can send any bytes, any header and pick the source address.
 */
export function send(
  base: string,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<Reply> {
  const started = Date.now();
  const url = new URL(base);
  const headers: Record<string, string> = {};
  let payload: Buffer | undefined;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = Buffer.from(new URLSearchParams(options.form).toString());
  } else if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) {
    headers['content-type'] = options.contentType ?? 'application/json';
    payload = Buffer.from(options.body as string | Buffer);
  } else if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    payload = Buffer.from(JSON.stringify(options.body));
  }
  if (payload) headers['content-length'] = String(payload.length);
  Object.assign(headers, options.headers);
  return new Promise<Reply>((resolve) => {
    let settled = false;
    const finish = (reply: Omit<Reply, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...reply, ms: Date.now() - started });
    };
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers,
        localAddress: options.localAddress,
        agent: options.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          finish({ status: 0, body: undefined, text: '', headers: {}, error: error.message }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          finish({ status: res.statusCode ?? 0, body, text, headers: res.headers });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ status: 0, body: undefined, text: '', headers: {}, error: 'timeout' });
      req.destroy();
    }, options.timeoutMs ?? 30_000);
    req.on('error', (error) =>
      finish({ status: 0, body: undefined, text: '', headers: {}, error: error.message }),
    );
    req.end(payload);
  }).catch((error: Error) => ({
    status: -1,
    body: undefined,
    text: '',
    headers: {},
    ms: 0,
    error: `not sent: ${error.message}`,
  }));
}

/** Resident set size of a process in bytes (Linux /proc, else `ps`); undefined if it is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux, or the process is gone
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  const kb = Number(ps.stdout?.trim());
  return ps.status === 0 && kb > 0 ? kb * 1024 : undefined;
}

export const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A fresh database on the server of `baseUrl`, dropped (with its connections) by `drop()`. */
export async function createPostgresDatabase(
  baseUrl: string,
  prefix = 'reliability',
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A TCP relay in front of PostgreSQL, so a test can take the database away from auth-api and
 * give it back without touching the shared server. `down()` behaves like a stopped server: every
 * open connection is closed and new ones are refused; `up()` listens again on the same port.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async up(): Promise<void> {
    if (this.server) return;
    if (!this.port) this.port = await freePort();
    const server = createServer((client) => {
      const upstream = new Socket();
      this.track(client);
      this.track(upstream);
      upstream.connect(this.targetPort, this.targetHost);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    // destroy(), not resetAndDestroy(): an RST on a socket still connecting can leave a handle
    // that never closes, and Node then spins at exit. A stopping PostgreSQL closes with a FIN too.
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

/** Whether a `redis-server` binary is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** A private redis-server on a free loopback port (no persistence), so the shared one is untouched. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      const ping = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), 'ping'], {
        encoding: 'utf8',
      });
      if (ping.stdout?.trim() === 'PONG') return;
      await sleep(100);
    }
    throw new Error('redis-server did not start');
  }

  /** SIGKILL: the server vanishes as in a crash. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Log lines (JSON or not) of a service that contain `needle`. */
export function logLines(output: string[], needle: string | RegExp): string[] {
  return output
    .join('')
    .split('\n')
    .filter((line) => (typeof needle === 'string' ? line.includes(needle) : needle.test(line)));
}

/**
 * Fails with the count and the first few items when `items` is not empty (Jest's diff of a
 * long array takes minutes, and a sample says as much).
 */
export function expectNone(items: string[], what: string): void {
  if (items.length === 0) return;
  throw new Error(`${items.length} ${what}, e.g.:\n  ${items.slice(0, 10).join('\n  ')}`);
}

/**
 * Writes raw bytes to `port` as one HTTP request and returns the status line's code, or 0 when
 * the server closed the connection without an answer (within `timeoutMs`). For requests a
 * well-behaved client library refuses to send (bad bytes in headers, broken framing).
 */
export function sendRaw(
  port: number,
  raw: Buffer | string,
  timeoutMs = 10_000,
): Promise<{ status: number; head: string }> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const head = Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? '';
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: match ? Number(match[1]) : 0, head });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One response is all we want: stop once the status line is in.
      if (Buffer.concat(chunks).includes('\r\n')) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.connect(port, '127.0.0.1', () => socket.write(raw));
  });
}
