import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

import { io, type Socket } from 'socket.io-client';

import {
  accessToken,
  type JwksServer,
  type RunningApp,
  startApp,
  startJwksServer,
  strangerKey,
} from './consumer-app';
import { installConsumerApp, packLibrary, WORKSPACE_ROOT } from './consumer-project';

// The packed library in a fresh Express app that also installed the optional transports:
// GraphQL with the Apollo driver and a socket.io gateway. Guards and decorators must work there
// unchanged, with the refusals in each transport's idiom.

const CONSUMER_SOURCES = join(__dirname, '..', 'consumer');
const APP_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/jwt',
  '@nestjs/passport',
  '@nestjs/platform-express',
  'passport',
  'passport-jwt',
  'reflect-metadata',
  'rxjs',
  '@nestjs/graphql',
  '@nestjs/apollo',
  '@apollo/server',
  '@as-integrations/express5',
  'graphql',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
];

interface GraphqlAnswer {
  status: number;
  data: Record<string, unknown> | null | undefined;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function graphql(url: string, query: string, token?: string): Promise<GraphqlAnswer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as Omit<GraphqlAnswer, 'status'>;
  return { status: response.status, ...body };
}

describe('@jwt-token/auth packed, in a fresh app with GraphQL (Apollo) and socket.io', () => {
  let root: string;
  let appDir: string;
  let jwks: JwksServer;
  let app: RunningApp;

  beforeAll(async () => {
    if (!existsSync(join(WORKSPACE_ROOT, 'libs', 'auth', 'dist', 'index.js')))
      throw new Error('libs/auth is not built: run `npx nx run-many -t build` (npm test does)');
    root = realpathSync(mkdtempSync(join(tmpdir(), 'jwt-token-transports-e2e-')));
    appDir = join(root, 'app');
    installConsumerApp({
      appDir,
      name: 'fresh-nest-transports-app',
      dependencies: APP_DEPENDENCIES,
      packed: packLibrary(root),
      sources: [join(CONSUMER_SOURCES, 'transports.cjs')],
    });
    jwks = await startJwksServer();
    app = await startApp(appDir, 'transports.cjs', jwks.uri);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await jwks?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('resolves the library and @nestjs/graphql inside the temp app', () => {
    for (const path of Object.values(app.resolved))
      expect(realpathSync(path).startsWith(join(appDir, 'node_modules') + sep)).toBe(true);
  });

  it('a @Public() query answers without a token', async () => {
    expect(await graphql(app.url, '{ hello }')).toMatchObject({ data: { hello: 'hello' } });
  });

  it('a guarded query: UNAUTHENTICATED without a token or with a forged one, data with a good one', async () => {
    const missing = await graphql(app.url, '{ viewer { sub } }');
    expect(missing.errors?.[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'ERR_TOKEN_MISSING',
    });
    const forged = await graphql(
      app.url,
      '{ viewer { sub } }',
      accessToken({ roles: ['admin'] }, strangerKey.privateKey),
    );
    expect(forged.errors?.[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'ERR_SIGNATURE_INVALID',
    });
    expect(await graphql(app.url, '{ viewer { sub roles } }', accessToken({ sub: 'ada' }))).toEqual(
      { status: 200, data: { viewer: { sub: 'ada', roles: ['user'] } } },
    );
  });

  it('@Roles on a mutation and @Scopes on a query: FORBIDDEN, then allowed', async () => {
    const promote = 'mutation { promote(email: "bob@example.com") }';
    const asUser = await graphql(app.url, promote, accessToken({ roles: ['user'] }));
    expect(asUser.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      error: 'ERR_INSUFFICIENT_ROLE',
    });
    const asAdmin = await graphql(app.url, promote, accessToken({ sub: 'root', roles: ['admin'] }));
    expect(asAdmin.data).toEqual({ promote: 'bob@example.com promoted by root' });

    const noScope = await graphql(app.url, '{ report }', accessToken({ scope: 'profile' }));
    expect(noScope.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      error: 'ERR_INSUFFICIENT_SCOPE',
    });
    const withScope = await graphql(app.url, '{ report }', accessToken({ scope: 'reports:read' }));
    expect(withScope.data).toEqual({ report: 'quarterly figures' });
  });

  /** A socket.io client with `token`; resolves connected, or rejects with connect_error's data. */
  const socketWith = (token?: string) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = io(app.url, {
        auth: token ? { token } : {},
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error: Error & { data?: unknown }) => {
        socket.close();
        reject(error.data);
      });
    });
  const reply = (socket: Socket, event: string, answer: string) =>
    new Promise<unknown>((resolve) => {
      socket.once(answer, (data: unknown) => resolve({ data }));
      socket.once('exception', (exception: unknown) => resolve({ exception }));
      socket.emit(event);
    });

  it('socket.io: refuses the handshake without a token or with a forged one', async () => {
    await expect(socketWith()).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
    await expect(socketWith(accessToken({}, strangerKey.privateKey))).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
      error: 'invalid_token',
    });
  });

  it('socket.io: the principal on every message, @Roles refusing for that message only', async () => {
    const socket = await socketWith(accessToken({ sub: 'ada', roles: ['user'] }));
    try {
      expect(await reply(socket, 'whoami', 'whoami')).toEqual({ data: 'ada' });
      expect(await reply(socket, 'announce', 'announced')).toEqual({
        exception: expect.objectContaining({ code: 'ERR_INSUFFICIENT_ROLE', error: 'forbidden' }),
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
    const admin = await socketWith(accessToken({ sub: 'root', roles: ['admin'] }));
    try {
      expect(await reply(admin, 'announce', 'announced')).toEqual({ data: 'announced by root' });
    } finally {
      admin.close();
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await app.stop()).toBe(0);
  });
});
