import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { call, freePort, ServiceProcess } from './service-process';

const ADMIN = { email: 'log-admin@example.com', password: 'log-admin-password' };
const USER_PASSWORD = 'user-password-to-redact';
const NEW_PASSWORD = 'new-password-to-redact';
const KEY_ENCRYPTION_KEY = 'kek-value-that-must-never-be-logged-0123456789';

/**
 * Runs a full flow against both built services at the most verbose log level, then greps every
 * line they wrote for the secrets that flowed through them.
 */
describe('logs never contain credentials', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let resource: ServiceProcess;
  const secrets: string[] = [USER_PASSWORD, NEW_PASSWORD, ADMIN.password, KEY_ENCRYPTION_KEY];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'log-redaction-'));
    const [authPort, resourcePort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${authPort}`;
    auth = new ServiceProcess('auth-api', authPort, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: issuer,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      KEY_ENCRYPTION_KEY,
      LOG_LEVEL: 'trace',
    });
    resource = new ServiceProcess('resource-api', resourcePort, {
      AUTH_ISSUER: issuer,
      LOG_LEVEL: 'trace',
    });
    await auth.start();
    await resource.start();
  });

  afterAll(async () => {
    await auth?.stop();
    await resource?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes request lines with ids, and none of the passwords, tokens, secrets or keys', async () => {
    const email = `logged-${Date.now()}@example.com`;
    await call(auth.url, 'POST', '/auth/register', { body: { email, password: USER_PASSWORD } });
    const login = await call(auth.url, 'POST', '/auth/login', {
      body: { email, password: USER_PASSWORD },
    });
    const { access_token: access, refresh_token: refresh } = login.body;
    const refreshed = await call(auth.url, 'POST', '/auth/refresh', {
      body: { refresh_token: refresh },
    });
    await call(resource.url, 'GET', '/me', { token: refreshed.body.access_token });
    await call(resource.url, 'GET', '/me', { token: `${access}tampered` });
    await call(auth.url, 'POST', '/auth/password', {
      token: refreshed.body.access_token,
      body: { currentPassword: USER_PASSWORD, newPassword: NEW_PASSWORD },
    });
    const admin = await call(auth.url, 'POST', '/auth/login', { body: ADMIN });
    const client = await call(auth.url, 'POST', '/clients', {
      token: admin.body.access_token,
      body: { name: 'svc', scopes: ['stats:read'] },
    });
    const granted = await call(auth.url, 'POST', '/oauth/token', {
      basic: [client.body.client_id, client.body.client_secret],
      form: { grant_type: 'client_credentials' },
    });
    await call(auth.url, 'POST', '/oauth/introspect', {
      form: {
        token: granted.body.access_token,
        client_id: client.body.client_id,
        client_secret: client.body.client_secret,
      },
    });
    await call(auth.url, 'POST', '/auth/logout', {
      token: refreshed.body.access_token,
      body: { refresh_token: refreshed.body.refresh_token },
    });

    secrets.push(
      access,
      refresh,
      refreshed.body.access_token,
      refreshed.body.refresh_token,
      admin.body.access_token,
    );
    secrets.push(
      client.body.client_secret,
      granted.body.access_token,
      readFileSync(join(dataDir, 'auth.sqlite')).length > 0 ? 'PRIVATE KEY' : '',
    );
    // Every JWT starts with a base64url JSON header: none may appear at all.
    secrets.push('eyJhbGciOi');

    await new Promise((r) => setTimeout(r, 300));
    const log = [...auth.output, ...resource.output].join('');
    expect(log).toContain('"url":"/auth/login"');
    expect(log).toMatch(/"req":\{"id":"[^"]+"/);
    for (const secret of secrets.filter(Boolean)) expect(log).not.toContain(secret);
  });
});
