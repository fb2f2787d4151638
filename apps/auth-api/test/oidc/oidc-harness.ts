import { randomBytes } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { Response } from 'supertest';

import { freePort, PASSWORD, type TestAuthApi, uniqueEmail } from '../harness';
import { adminToken, startOAuthApi } from '../oauth-harness';
import type { Landing } from './browserless-agent';

/** Where the suites' relying parties live. Nothing listens there: only the redirects are read. */
export const RP_ORIGIN = 'https://rp.example';
export const REDIRECT_URI = `${RP_ORIGIN}/cb`;
export const POST_LOGOUT_REDIRECT_URI = `${RP_ORIGIN}/signed-out`;
export const OIDC_SCOPES = ['openid', 'profile', 'email'];

/** auth-api listening on 127.0.0.1, with AUTH_ISSUER its own URL (what relying parties discover). */
export interface Provider {
  api: TestAuthApi;
  issuer: string;
}

export async function startProvider(env: Record<string, string> = {}): Promise<Provider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const api = await startOAuthApi({ AUTH_ISSUER: issuer, PORT: String(port), ...env });
  await api.app.listen(port, '127.0.0.1');
  return { api, issuer };
}

/** RFC 7591 client metadata as `POST /clients` takes it (issue #20's interface). */
export interface ClientMetadata {
  name: string;
  scopes: string[];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'client_secret_post';
  application_type: 'web' | 'native';
  first_party: boolean;
  id_token_signed_response_alg: 'ES256' | 'RS256';
}

export interface OidcClient {
  clientId: string;
  /** Only for confidential clients. */
  secret?: string;
  metadata: ClientMetadata;
  /** The response body of the registration, as the server described the client. */
  registered: Record<string, unknown>;
}

/** `POST /clients` as the admin, whatever the outcome (the hostile suites read refusals). */
export async function registerClient(
  api: TestAuthApi,
  metadata: Partial<ClientMetadata> | Record<string, unknown>,
): Promise<Response> {
  return api
    .http()
    .post('/clients')
    .auth(await adminToken(api), { type: 'bearer' })
    .send({ name: 'relying party', scopes: OIDC_SCOPES, ...metadata });
}

/** A registered OIDC client: by default public (PKCE only), third-party (consent), web. */
export async function createOidcClient(
  api: TestAuthApi,
  overrides: Partial<ClientMetadata> = {},
): Promise<OidcClient> {
  const metadata: ClientMetadata = {
    name: 'relying party',
    scopes: OIDC_SCOPES,
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    application_type: 'web',
    first_party: false,
    id_token_signed_response_alg: 'ES256',
    ...overrides,
  };
  const res = await registerClient(api, metadata);
  if (res.status !== 201) throw new Error(`client registration: ${res.status} ${res.text}`);
  return {
    clientId: res.body.client_id,
    secret: res.body.client_secret,
    metadata,
    registered: res.body,
  };
}

export interface User {
  id: string;
  email: string;
  password: string;
}

export async function createUser(api: TestAuthApi, prefix = 'rp-user'): Promise<User> {
  const email = uniqueEmail(prefix);
  const res = await api
    .http()
    .post('/auth/register')
    .send({ email, password: PASSWORD })
    .expect(201);
  return { id: res.body.id, email, password: PASSWORD };
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export async function pkce(): Promise<Pkce> {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

/** An authorization request as a relying party builds it: code + PKCE S256, state and nonce. */
export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  pkce: Pkce;
}

export async function authorizationRequest(
  issuer: string,
  client: OidcClient,
  params: Record<string, string | undefined> = {},
): Promise<AuthorizationRequest> {
  const codes = await pkce();
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const url = new URL(`${issuer}/oauth/authorize`);
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.metadata.redirect_uris[0],
    scope: 'openid profile email',
    state,
    nonce,
    code_challenge: codes.challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [name, value] of Object.entries(all))
    if (value !== undefined) url.searchParams.set(name, value);
  return { url, state, nonce, pkce: codes };
}

/** The token endpoint, form-encoded, with the client authentication the client registered. */
export async function redeemCode(
  provider: Provider,
  client: OidcClient,
  code: string,
  verifier: string | undefined,
  extra: Record<string, string> = {},
): Promise<globalThis.Response> {
  return tokenEndpoint(provider, client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: client.metadata.redirect_uris[0],
    ...(verifier === undefined ? {} : { code_verifier: verifier }),
    ...extra,
  });
}

export async function tokenEndpoint(
  provider: Provider,
  client: OidcClient,
  form: Record<string, string>,
): Promise<globalThis.Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(form);
  const method = client.metadata.token_endpoint_auth_method;
  if (method === 'client_secret_basic') {
    const encoded = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.secret ?? '')}`;
    headers.authorization = `Basic ${Buffer.from(encoded).toString('base64')}`;
  } else {
    body.set('client_id', client.clientId);
    if (method === 'client_secret_post') body.set('client_secret', client.secret ?? '');
  }
  return fetch(`${provider.issuer}/oauth/token`, { method: 'POST', headers, body });
}

/** The parameters of a redirect to the relying party (the authorization response). */
export function callbackParams(location: URL): Record<string, string> {
  return Object.fromEntries(location.searchParams);
}

/**
 * OIDC Core §3.1.2.6 / RFC 6749 §4.1.2.1: with a bad client or redirect_uri, the provider must
 * not redirect; it shows the user an error page instead.
 */
export function expectErrorPage(landing: Landing): void {
  expect(landing.redirect?.href).toBeUndefined();
  expect(landing.page?.status).toBe(400);
  expect(landing.page?.headers.get('location')).toBeNull();
  expect(landing.page?.headers.get('content-type')).toMatch(/^text\/html/);
}

/** An error sent back to the relying party: error code, state and RFC 9207 `iss`. */
export function expectErrorRedirect(
  landing: Landing,
  provider: Provider,
  request: AuthorizationRequest,
  errors: string | string[],
): void {
  expect(landing.page?.status).toBeUndefined();
  const location = landing.redirect as URL;
  expect(`${location.origin}${location.pathname}`).toBe(
    request.url.searchParams.get('redirect_uri'),
  );
  const params = callbackParams(location);
  expect(params).toMatchObject({ state: request.state, iss: provider.issuer });
  expect(params.code).toBeUndefined();
  expect([errors].flat()).toContain(params.error);
}
