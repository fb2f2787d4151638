import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { io } from 'socket.io-client';

import { call, freePort, ServiceProcess } from './service-process';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
const PASSWORD = 'correct horse battery';

function kidOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;
}

/** A well-formed ES256 access token for `issuer`, signed by a key nobody published. */
function forgeWithUnknownKey(issuer: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${encode({ alg: 'ES256', typ: 'at+jwt', kid: 'not-a-published-kid' })}.${encode({
    iss: issuer,
    sub: 'intruder',
    aud: 'resource-api',
    iat: now,
    exp: now + 600,
    roles: ['admin'],
    scope: 'stats:read',
  })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

describe('auth-api and resource-api as real processes', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let resource: ServiceProcess;
  const state: {
    userId?: string;
    userToken?: string;
    userRefresh?: string;
    adminToken?: string;
    rotatedToken?: string;
  } = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'system-e2e-'));
    const [authPort, resourcePort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${authPort}`;
    auth = new ServiceProcess('auth-api', authPort, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: issuer,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '10000',
      KEY_RELOAD_SECONDS: '1',
    });
    resource = new ServiceProcess('resource-api', resourcePort, { AUTH_ISSUER: issuer });
    // resource-api first: it must start while auth-api is not up yet.
    await resource.start();
    await auth.start();
  });

  afterAll(() => {
    auth?.kill();
    resource?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts a token issued by auth-api, verified with its JWKS', async () => {
    const email = `user-${Date.now()}@example.com`;
    const registered = await call(auth.url, 'POST', '/auth/register', {
      body: { email, password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    const login = await call(auth.url, 'POST', '/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    Object.assign(state, {
      userId: registered.body.id,
      userToken: login.body.access_token,
      userRefresh: login.body.refresh_token,
    });

    const me = await call(resource.url, 'GET', '/me', { token: state.userToken });
    expect(me).toMatchObject({
      status: 200,
      body: { sub: state.userId, roles: ['user'], scope: '' },
    });
    expect((await call(resource.url, 'GET', '/me')).status).toBe(401);
  });

  it('applies roles across the wire, including a promotion seen after refresh', async () => {
    expect(
      (
        await call(resource.url, 'POST', '/articles', {
          token: state.userToken,
          body: { title: 't', body: 'b' },
        })
      ).status,
    ).toBe(403);

    const adminLogin = await call(auth.url, 'POST', '/auth/login', { body: ADMIN });
    state.adminToken = adminLogin.body.access_token;
    const promoted = await call(auth.url, 'PATCH', `/users/${state.userId}`, {
      token: state.adminToken,
      body: { roles: ['editor'] },
    });
    expect(promoted.status).toBe(200);
    const refreshed = await call(auth.url, 'POST', '/auth/refresh', {
      body: { refresh_token: state.userRefresh },
    });
    expect(refreshed.status).toBe(200);
    const editorToken = refreshed.body.access_token;

    const created = await call(resource.url, 'POST', '/articles', {
      token: editorToken,
      body: { title: 'Hello', body: 'World' },
    });
    expect(created.status).toBe(201);
    expect(
      (await call(resource.url, 'DELETE', `/articles/${created.body.id}`, { token: editorToken }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(resource.url, 'DELETE', `/articles/${created.body.id}`, {
          token: state.adminToken,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(resource.url, 'DELETE', `/articles/${created.body.id}`, {
          token: state.adminToken,
        })
      ).status,
    ).toBe(404);
    // Step-up across the wire: a password-only sign-in's token says amr ["pwd"], acr "1".
    const purge = await call(resource.url, 'DELETE', '/articles', { token: state.adminToken });
    expect(purge.status).toBe(401);
    expect(purge.body.error).toBe('insufficient_user_authentication');
    expect(purge.headers.get('www-authenticate')).toBe(
      'Bearer realm="resource-api", error="insufficient_user_authentication", error_description="requires multi-factor authentication", acr_values="2"',
    );
  });

  it('applies scopes to a client-credentials token', async () => {
    const client = await call(auth.url, 'POST', '/clients', {
      token: state.adminToken,
      body: { name: 'stats', scopes: ['stats:read'] },
    });
    expect(client.status).toBe(201);
    const granted = await call(auth.url, 'POST', '/oauth/token', {
      basic: [client.body.client_id, client.body.client_secret],
      form: { grant_type: 'client_credentials', scope: 'stats:read' },
    });
    expect(granted.status).toBe(200);
    expect(
      (await call(resource.url, 'GET', '/internal/stats', { token: granted.body.access_token }))
        .status,
    ).toBe(200);

    const denied = await call(resource.url, 'GET', '/internal/stats', { token: state.userToken });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('carries DPoP end to end: bound at auth-api sign-in, proven at resource-api', async () => {
    const keys = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(keys.publicKey);
    const proof = (htm: string, htu: string, accessToken?: string) =>
      new SignJWT({
        htm,
        htu,
        jti: randomUUID(),
        iat: Math.floor(Date.now() / 1000),
        ...(accessToken
          ? { ath: createHash('sha256').update(accessToken).digest('base64url') }
          : {}),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(keys.privateKey);
    const email = `dpop-${Date.now()}@example.com`;
    await call(auth.url, 'POST', '/auth/register', { body: { email, password: PASSWORD } });
    const login = await fetch(`${auth.url}/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        dpop: await proof('POST', `${auth.url}/auth/login`),
      },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const tokens = (await login.json()) as { token_type: string; access_token: string };
    expect(tokens.token_type).toBe('DPoP');
    const token = tokens.access_token as string;

    // oauth4webapi makes the resource request and its proof, as any client would.
    const handle = oauth.DPoP({}, keys as never);
    const me = await oauth.protectedResourceRequest(
      token,
      'GET',
      new URL(`${resource.url}/me`),
      undefined,
      null,
      { DPoP: handle, [oauth.allowInsecureRequests]: true },
    );
    expect(me.status).toBe(200);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
    expect(((await me.json()) as { sub: string }).sub).toBe(claims.sub);
    const asBearer = await call(resource.url, 'GET', '/me', { token });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP /);
    const otherKey = await generateKeyPair('ES256', { extractable: true });
    const stolen = await oauth
      .protectedResourceRequest(token, 'GET', new URL(`${resource.url}/me`), undefined, null, {
        DPoP: oauth.DPoP({}, otherKey as never),
        [oauth.allowInsecureRequests]: true,
      })
      .catch((error) => (error as { response?: Response }).response);
    expect(stolen?.status).toBe(401);

    // The live feed: the same token, proven once at the socket.io handshake.
    const socket = io(resource.url, {
      auth: { token, dpop: await proof('GET', `${resource.url}/socket.io/`, token) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const following = new Promise((resolve) => socket.once('following', resolve));
      socket.emit('follow');
      expect(await following).toEqual({ following: true, sub: claims.sub });
    } finally {
      socket.disconnect();
    }
  });

  it('picks up a key rotation without restart, and old tokens keep working', async () => {
    const rotated = await call(auth.url, 'POST', '/keys/rotate', { token: state.adminToken });
    expect(rotated.status).toBe(201);
    const login = await call(auth.url, 'POST', '/auth/login', { body: ADMIN });
    state.rotatedToken = login.body.access_token as string;
    expect(kidOf(state.rotatedToken)).toBe(rotated.body.kid);
    expect(kidOf(state.rotatedToken)).not.toBe(kidOf(state.userToken!));

    expect((await call(resource.url, 'GET', '/me', { token: state.rotatedToken })).status).toBe(
      200,
    );
    expect((await call(resource.url, 'GET', '/me', { token: state.userToken })).status).toBe(200);
  });

  it('keeps serving with cached keys while auth-api is down, and refuses unknown kids', async () => {
    expect(await auth.stop()).toBe(0);
    expect((await call(resource.url, 'GET', '/me', { token: state.rotatedToken })).status).toBe(
      200,
    );
    expect((await call(resource.url, 'GET', '/me', { token: state.userToken })).status).toBe(200);
    const forged = await call(resource.url, 'GET', '/me', {
      token: forgeWithUnknownKey(`http://127.0.0.1:${auth.port}`),
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await call(resource.url, 'GET', '/articles')).status).toBe(200);
  });

  it('stops resource-api cleanly on SIGTERM', async () => {
    expect(await resource.stop()).toBe(0);
  });
});
