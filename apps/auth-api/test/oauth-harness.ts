import type { Response } from 'supertest';

import { startAuthApi, type TestAuthApi } from './harness';

/** The admin every OAuth suite starts auth-api with (ADMIN_EMAIL / ADMIN_PASSWORD). */
export const ADMIN = { email: 'oauth-admin@example.com', password: 'oauth-admin-password' };

/** The scopes the suites' service clients are allowed by default. */
export const CLIENT_SCOPES = ['stats:read', 'reports:write'];

export interface TestClient {
  clientId: string;
  secret: string;
  scopes: string[];
}

export function startOAuthApi(
  env: Record<string, string> = {},
  options: { dataDir?: string } = {},
): Promise<TestAuthApi> {
  return startAuthApi(
    { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ...env },
    options,
  );
}

/** A fresh access token of the bootstrapped admin. */
export async function adminToken(api: TestAuthApi): Promise<string> {
  const res = await api.http().post('/auth/login').send(ADMIN).expect(200);
  return res.body.access_token as string;
}

/** Registers a service client through `POST /clients` as the admin. */
export async function createClient(
  api: TestAuthApi,
  scopes = CLIENT_SCOPES,
  name = 'reporting service',
): Promise<TestClient> {
  const res = await api
    .http()
    .post('/clients')
    .auth(await adminToken(api), { type: 'bearer' })
    .send({ name, scopes })
    .expect(201);
  return { clientId: res.body.client_id, secret: res.body.client_secret, scopes: res.body.scopes };
}

/** RFC 6749 §2.3.1: each part is form-urlencoded, then `id:secret` is Base64-encoded. */
export function basic(
  clientId: string,
  secret: string,
  encode: (part: string) => string = encodeURIComponent,
): string {
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

type Form = Record<string, string> | string;

/** A form-encoded POST to an OAuth endpoint, with an optional Authorization header. */
export function oauthPost(api: TestAuthApi, path: string, form: Form, authorization?: string) {
  const req = api.http().post(path).type('form');
  if (authorization) req.set('Authorization', authorization);
  return req.send(form);
}

export function tokenRequest(api: TestAuthApi, form: Form, authorization?: string) {
  return oauthPost(api, '/oauth/token', form, authorization);
}

/** A client-credentials token of `client` (client_secret_basic). */
export async function clientToken(
  api: TestAuthApi,
  client: TestClient,
  scope?: string,
): Promise<string> {
  const form: Record<string, string> = {
    grant_type: 'client_credentials',
    ...(scope === undefined ? {} : { scope }),
  };
  const res = await tokenRequest(api, form, basic(client.clientId, client.secret)).expect(200);
  return res.body.access_token as string;
}

export function introspect(api: TestAuthApi, client: TestClient, token: string, hint?: string) {
  const form: Record<string, string> = hint ? { token, token_type_hint: hint } : { token };
  return oauthPost(api, '/oauth/introspect', form, basic(client.clientId, client.secret));
}

/** Asserts an RFC 6749 §5.2 error: the exact body shape, the status and `Cache-Control: no-store`. */
export function expectOAuthError(res: Response, status: number, error: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error, error_description: expect.any(String) },
  });
  expect(res.headers['cache-control']).toBe('no-store');
  if (error === 'invalid_client')
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="auth-api"/);
}
