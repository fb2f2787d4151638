import { DataSource } from 'typeorm';

import { registerAndLogin, type TestAuthApi } from './harness';
import { adminToken, basic, createClient, startOAuthApi, tokenRequest } from './oauth-harness';

const BEARER = { type: 'bearer' as const };

/** The RFC 7591 metadata of a client registered in the old shape (name and scopes only). */
const SERVICE_CLIENT_METADATA = {
  redirect_uris: [],
  post_logout_redirect_uris: [],
  grant_types: ['client_credentials'],
  token_endpoint_auth_method: 'client_secret_basic',
  application_type: 'web',
  first_party: false,
  id_token_signed_response_alg: 'ES256',
  dpop_bound_access_tokens: false,
};

describe('auth-api: service clients (/clients) and RFC 8414 metadata', () => {
  let api: TestAuthApi;
  let admin: string;

  beforeAll(async () => {
    api = await startOAuthApi();
    admin = await adminToken(api);
  });
  afterAll(() => api.close());

  describe('/clients', () => {
    it('creates a client and shows its secret once', async () => {
      const res = await api
        .http()
        .post('/clients')
        .auth(admin, BEARER)
        .send({ name: 'billing', scopes: ['stats:read'] })
        .expect(201);
      expect(res.body).toEqual({
        client_id: expect.stringMatching(/^[\x21-\x7E]{1,64}$/),
        client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
        scopes: ['stats:read'],
        name: 'billing',
        ...SERVICE_CLIENT_METADATA,
        createdAt: expect.any(String),
      });
      const list = await api.http().get('/clients').auth(admin, BEARER).expect(200);
      expect(list.body).toContainEqual({
        client_id: res.body.client_id,
        name: 'billing',
        scopes: ['stats:read'],
        ...SERVICE_CLIENT_METADATA,
        createdAt: res.body.createdAt,
      });
    });

    it('never shows a secret or its hash in the list, and stores no secret in clear', async () => {
      const clients = [await createClient(api), await createClient(api, [], 'no scopes')];
      const rows: Array<Record<string, unknown>> = await api.app
        .get(DataSource)
        .query('SELECT * FROM oauth_clients');
      const stored = JSON.stringify(rows);
      const list = JSON.stringify(
        (await api.http().get('/clients').auth(admin, BEARER).expect(200)).body,
      );
      for (const { clientId, secret } of clients) {
        expect(stored).toContain(clientId);
        expect(stored).not.toContain(secret);
        expect(list).toContain(clientId);
        expect(list).not.toContain(secret);
      }
      for (const row of rows) {
        for (const value of Object.values(row)) {
          if (typeof value === 'string' && value.length >= 32) expect(list).not.toContain(value);
        }
      }
      // `client_secret_basic` (the auth method) is the only "secret" a list may name.
      expect(list.replaceAll('client_secret_basic', '')).not.toMatch(/secret|hash/i);
    });

    it('is for admins only', async () => {
      const user = await registerAndLogin(api);
      const { clientId } = await createClient(api);
      await api.http().get('/clients').auth(user.accessToken, BEARER).expect(403);
      await api
        .http()
        .post('/clients')
        .auth(user.accessToken, BEARER)
        .send({ name: 'x', scopes: [] })
        .expect(403);
      await api.http().delete(`/clients/${clientId}`).auth(user.accessToken, BEARER).expect(403);
      await api.http().get('/clients').expect(401);
    });

    it('refuses a service token on /clients', async () => {
      const client = await createClient(api);
      const res = await tokenRequest(
        api,
        { grant_type: 'client_credentials' },
        basic(client.clientId, client.secret),
      ).expect(200);
      await api.http().get('/clients').auth(res.body.access_token, BEARER).expect(403);
    });

    it.each([
      [{ name: 'x', scopes: ['has space'] }, 'scopes'],
      [{ name: 'x', scopes: ['has"quote'] }, 'scopes'],
      [{ name: 'x', scopes: ['back\\slash'] }, 'scopes'],
      [{ name: 'x', scopes: [''] }, 'scopes'],
      [{ name: 'x', scopes: ['a', 'a'] }, 'scopes'],
      [{ name: 'x', scopes: 'stats:read' }, 'scopes'],
      [{ name: 'x', scopes: [42] }, 'scopes'],
      [{ name: 'x' }, 'scopes'],
      [{ scopes: ['a'] }, 'name'],
      [{ name: '', scopes: ['a'] }, 'name'],
      [{ name: 'n'.repeat(201), scopes: ['a'] }, 'name'],
      [{ name: 'nul\u0000byte', scopes: ['a'] }, 'name'],
      [{ name: 'x', scopes: ['a'], client_secret: 'chosen' }, 'client_secret'],
    ])('answers 400 validation_failed for %j (field %s)', async (body, field) => {
      const res = await api.http().post('/clients').auth(admin, BEARER).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it.each(['svc_unknown', 'x'.repeat(150), 'nul%00byte', '%E2%82%AC'])(
      'answers 404 for deleting unknown client %p',
      async (id) => {
        const res = await api.http().delete(`/clients/${id}`).auth(admin, BEARER);
        expect(res.status).toBe(404);
        expect(res.body.error).toBe('not_found');
      },
    );
  });

  describe('GET /.well-known/oauth-authorization-server', () => {
    it('lists every endpoint, grant, client authentication method and algorithm supported', async () => {
      const res = await api.http().get('/.well-known/oauth-authorization-server').expect(200);
      expect(res.body).toMatchObject({
        issuer: 'http://auth.test',
        jwks_uri: 'http://auth.test/.well-known/jwks.json',
        token_endpoint: 'http://auth.test/oauth/token',
        revocation_endpoint: 'http://auth.test/oauth/revoke',
        introspection_endpoint: 'http://auth.test/oauth/introspect',
        access_token_signing_alg_values_supported: ['ES256'],
      });
      expect([...res.body.grant_types_supported].sort()).toEqual([
        'authorization_code',
        'client_credentials',
        'refresh_token',
      ]);
      expect(res.body.token_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']),
      );
      expect(res.body.revocation_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']),
      );
      expect([...res.body.introspection_endpoint_auth_methods_supported].sort()).toEqual([
        'client_secret_basic',
        'client_secret_post',
      ]);
      expect(res.body).toMatchObject({
        authorization_endpoint: 'http://auth.test/oauth/authorize',
        userinfo_endpoint: 'http://auth.test/oauth/userinfo',
        end_session_endpoint: 'http://auth.test/oauth/logout',
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        id_token_signing_alg_values_supported: ['ES256', 'RS256'],
        subject_types_supported: ['public'],
      });
      // OpenID Connect Discovery serves the same document.
      const openid = await api.http().get('/.well-known/openid-configuration').expect(200);
      expect(openid.body).toEqual(res.body);
      for (const endpoint of ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint']) {
        const path = new URL(res.body[endpoint]).pathname;
        const answer = await api.http().post(path).type('form').send({});
        expect([400, 401]).toContain(answer.status);
      }
      await api.http().get(new URL(res.body.jwks_uri).pathname).expect(200);
    });

    it('names the configured algorithm', async () => {
      const rsa = await startOAuthApi({
        JWT_ALG: 'PS256',
        AUTH_ISSUER: 'https://login.example.com/',
      });
      try {
        const res = await rsa.http().get('/.well-known/oauth-authorization-server').expect(200);
        expect(res.body.access_token_signing_alg_values_supported).toEqual(['PS256']);
        expect(res.body.issuer).toBe('https://login.example.com');
        expect(res.body.token_endpoint).toBe('https://login.example.com/oauth/token');
      } finally {
        await rsa.close();
      }
    });
  });
});
