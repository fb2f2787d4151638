import { Controller, Get, type INestApplication, Logger } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';

import { type AuthPrincipal, AuthModule, CurrentUser, keycloakIssuer, Scopes } from '../../src';

const RESOURCE = 'https://orders.api';

@Controller('orders')
class OrdersController {
  @Scopes('orders:read')
  @Get()
  list(@CurrentUser() user: AuthPrincipal) {
    return { sub: user.sub, issuer: user.issuer, clientId: user.clientId, scopes: user.scopes };
  }

  @Scopes('orders:admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

/** An ES256 private JWK Set with one key under `kid`: what oidc-provider signs with. */
function privateJwks(kid: string): string {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    format: 'jwk',
  });
  return JSON.stringify({ keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] });
}

interface RunningProvider {
  issuer: string;
  port: number;
  child: ChildProcess;
}

/** Starts oidc-provider (test/oidc-provider/provider.mjs) in a child process; resolves when it listens. */
function startProvider(jwks: string, port = 0): Promise<RunningProvider> {
  const child = spawn(process.execPath, [join(__dirname, 'provider.mjs')], {
    env: { ...process.env, OIDC_PORT: String(port), OIDC_JWKS: jwks },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /ready (http:\/\/127\.0\.0\.1:(\d+))/.exec(stdout);
      if (match) resolve({ issuer: match[1], port: Number(match[2]), child });
    });
    child.on('exit', (code) => reject(new Error(`oidc-provider exited (${code}): ${stderr}`)));
  });
}

function stopProvider(provider: RunningProvider | undefined): Promise<void> {
  if (!provider || provider.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    provider.child.once('exit', () => resolve());
    provider.child.kill('SIGTERM');
  });
}

/** A token from the provider's token endpoint: client_credentials for the orders resource. */
async function clientCredentialsToken(issuer: string, scope: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: RESOURCE }),
  });
  const body = (await response.json()) as { access_token?: string; token_type?: string };
  if (response.status !== 200 || !body.access_token)
    throw new Error(`token endpoint: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

describe('a foreign OpenID Provider (panva/oidc-provider) through discovery', () => {
  jest.setTimeout(60_000);
  let provider: RunningProvider | undefined;
  let app: INestApplication;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    provider = await startProvider(privateJwks('key-1'));
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot({
          issuers: [
            {
              issuer: provider.issuer,
              audience: RESOURCE,
              algorithms: ['ES256'],
              discovery: true,
              // Every unknown kid may refetch at once: the test rotates keys and expects it seen.
              jwks: { cooldownMs: 0 },
            },
            // A neighbour, so that the provider's tokens go through issuer selection.
            keycloakIssuer({ baseUrl: 'http://127.0.0.1:9', realm: 'r', clientId: 'orders' }),
          ],
        }),
      ],
      controllers: [OrdersController],
    }).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter());
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await stopProvider(provider);
    jest.restoreAllMocks();
  });

  it('200 with the right scope, 403 without it, 401 after a key rotation removes the old key', async () => {
    const server = app.getHttpServer();
    const readToken = await clientCredentialsToken(provider!.issuer, 'orders:read');
    const ok = await request(server).get('/orders').auth(readToken, { type: 'bearer' }).expect(200);
    expect(ok.body).toEqual({
      sub: 'svc',
      issuer: provider!.issuer,
      clientId: 'svc',
      scopes: ['orders:read'],
    });

    const denied = await request(server)
      .get('/orders/admin')
      .auth(readToken, { type: 'bearer' })
      .expect(403);
    expect(denied.headers['www-authenticate']).toContain('scope="orders:admin"');
    const writeOnly = await clientCredentialsToken(provider!.issuer, 'orders:write');
    await request(server).get('/orders').auth(writeOnly, { type: 'bearer' }).expect(403);

    // Rotation: the provider comes back on the same issuer URL with only a new key.
    const port = provider!.port;
    await stopProvider(provider);
    provider = await startProvider(privateJwks('key-2'), port);
    const rotated = await clientCredentialsToken(provider.issuer, 'orders:read');
    // Its new kid makes the library refetch the keys (through discovery again)...
    await request(server).get('/orders').auth(rotated, { type: 'bearer' }).expect(200);
    // ...and the old token, though still unexpired and once cached, is refused now.
    const stale = await request(server)
      .get('/orders')
      .auth(readToken, { type: 'bearer' })
      .expect(401);
    expect(stale.body.error).toBe('invalid_token');
    expect(stale.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});
