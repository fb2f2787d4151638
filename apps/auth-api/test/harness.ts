import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';

import { createAuthApi } from '../src/app.factory';
import { type AuthApiConfig, loadAuthApiConfig } from '../src/config/auth-api.config';
import type { Clock } from '../src/common/clock';

/**
 * Which database the e2e suites run on: the embedded SQLite file by default, PostgreSQL when
 * TEST_DATABASE_URL is set (`.ci/run` does, against the machine's real server). Each suite gets
 * its own fresh database, so suites never see each other's rows.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

/** A clock the test moves by hand: lockout, reuse intervals and expiry without waiting. */
export class FakeClock implements Clock {
  constructor(private time = Date.now()) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface TestAuthApi {
  app: NestFastifyApplication;
  config: AuthApiConfig;
  clock: FakeClock;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

export async function createPostgresDatabase(
  baseUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `auth_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A port nobody listens on right now (what a service about to start, or one that is down, has). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts auth-api in-process on a fresh database. `env` takes the contract's variables. */
export async function startAuthApi(
  env: Record<string, string> = {},
  options: { dataDir?: string } = {},
): Promise<TestAuthApi> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'auth-api-test-'));
  const postgres = TEST_DATABASE_URL ? await createPostgresDatabase(TEST_DATABASE_URL) : undefined;
  const config = loadAuthApiConfig({
    DATA_DIR: dataDir,
    AUTH_ISSUER: 'http://auth.test',
    RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'fatal',
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...env,
  });
  const clock = new FakeClock();
  const app = await createAuthApi({ config, clock, logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    clock,
    http: () => request(app.getHttpServer()),
    async close() {
      await app.close();
      await postgres?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A unique, valid email for this run. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now()}-${counter}@example.com`;
}

export const PASSWORD = 'correct horse battery';

/** Registers and logs in a user; returns the ids and the token response. */
export async function registerAndLogin(
  api: TestAuthApi,
  email = uniqueEmail(),
  password = PASSWORD,
) {
  const registered = await api.http().post('/auth/register').send({ email, password }).expect(201);
  const login = await api.http().post('/auth/login').send({ email, password }).expect(200);
  return {
    id: registered.body.id as string,
    email,
    accessToken: login.body.access_token as string,
    refreshToken: login.body.refresh_token as string,
  };
}

/** Decodes a JWT's payload without verifying it (tests inspect what the server issued). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}
