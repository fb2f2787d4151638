import { createHmac, generateKeyPairSync, sign } from 'node:crypto';

import { claimsOf, headerOf, registerAndLogin, type TestAuthApi } from './harness';
import {
  adminToken,
  basic,
  CLIENT_SCOPES,
  clientToken,
  createClient,
  expectOAuthError,
  introspect,
  oauthPost,
  startOAuthApi,
  type TestClient,
  tokenRequest,
} from './oauth-harness';

const SECOND = 1000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens that look like ours but were never issued by auth-api. */
function forgeries(genuine: string): Array<[string, string]> {
  const header = headerOf(genuine);
  const claims = claimsOf(genuine);
  const [h, p, s] = genuine.split('.');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingInput = `${h}.${b64({ ...claims, scope: 'admin' })}`;
  const otherKey = sign('sha256', Buffer.from(signingInput), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  }).toString('base64url');
  const hmacInput = `${b64({ ...header, alg: 'HS256' })}.${p}`;
  return [
    ['garbage', 'garbage'],
    ['alg none', `${b64({ ...header, alg: 'none' })}.${p}.`],
    [
      'an HMAC forgery',
      `${hmacInput}.${createHmac('sha256', 'secret').update(hmacInput).digest('base64url')}`,
    ],
    ['a changed payload', `${h}.${b64({ ...claims, scope: 'admin' })}.${s}`],
    ['a foreign key under our kid', `${signingInput}.${otherKey}`],
    ['a refresh-token lookalike', 'A'.repeat(70)],
  ];
}

describe('auth-api: /oauth/introspect (RFC 7662) and /oauth/revoke (RFC 7009)', () => {
  let api: TestAuthApi;
  let client: TestClient;
  let other: TestClient;

  beforeAll(async () => {
    api = await startOAuthApi({ REFRESH_REUSE_INTERVAL: '10' });
    [client, other] = [
      await createClient(api),
      await createClient(api, ['stats:read'], 'other service'),
    ];
  });
  afterAll(() => api.close());

  const revoke = (form: Record<string, string>, authorization?: string) =>
    oauthPost(api, '/oauth/revoke', form, authorization);

  describe('introspection', () => {
    it("answers a service token's claims, with no-store", async () => {
      const token = await clientToken(api, client);
      const res = await introspect(api, other, token).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const claims = claimsOf(token);
      expect(res.body).toEqual({
        active: true,
        token_type: 'Bearer',
        sub: client.clientId,
        client_id: client.clientId,
        scope: CLIENT_SCOPES.join(' '),
        roles: [],
        exp: claims.exp,
        iat: claims.iat,
        iss: 'http://auth.test',
        aud: 'resource-api',
        jti: claims.jti,
      });
    });

    it("answers a user access token's claims, with its roles and sid", async () => {
      const user = await registerAndLogin(api);
      const res = await introspect(api, client, user.accessToken).expect(200);
      expect(res.body).toMatchObject({
        active: true,
        sub: user.id,
        client_id: 'auth-api',
        roles: ['user'],
        scope: '',
        sid: claimsOf(user.accessToken).sid,
      });
    });

    it('answers {active:false} once the token is past exp and the 5 s clock tolerance', async () => {
      const token = await clientToken(api, client);
      api.clock.advance(903 * SECOND);
      expect((await introspect(api, client, token).expect(200)).body.active).toBe(true);
      api.clock.advance(3 * SECOND);
      expect((await introspect(api, client, token).expect(200)).body).toEqual({ active: false });
    });

    it('answers {active:false} for forged and unknown tokens', async () => {
      for (const [name, token] of forgeries(await clientToken(api, client))) {
        const res = await introspect(api, client, token);
        expect({ name, status: res.status, body: res.body }).toEqual({
          name,
          status: 200,
          body: { active: false },
        });
      }
    });

    it('answers a current refresh token as active, and a rotated one as inactive', async () => {
      const user = await registerAndLogin(api);
      for (const hint of [undefined, 'refresh_token', 'access_token']) {
        const res = await introspect(api, client, user.refreshToken, hint).expect(200);
        expect(res.body).toMatchObject({
          active: true,
          token_type: 'refresh_token',
          sub: user.id,
          client_id: 'auth-api',
          iss: 'http://auth.test',
        });
      }
      const rotated = await api
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(200);
      expect((await introspect(api, client, user.refreshToken)).body).toEqual({ active: false });
      expect((await introspect(api, client, rotated.body.refresh_token)).body.active).toBe(true);
    });

    it('requires an authenticated confidential client', async () => {
      const token = await clientToken(api, client);
      expectOAuthError(await oauthPost(api, '/oauth/introspect', { token }), 401, 'invalid_client');
      expectOAuthError(
        await oauthPost(api, '/oauth/introspect', { token, client_id: 'auth-api' }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(api, '/oauth/introspect', { token }, basic(client.clientId, 'wrong')),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await oauthPost(api, '/oauth/introspect', {}, basic(client.clientId, client.secret)),
        400,
        'invalid_request',
      );
    });
  });

  describe('revocation', () => {
    it("revokes the client's own access token: introspection says inactive at once", async () => {
      const token = await clientToken(api, client);
      const res = await revoke(
        { token, token_type_hint: 'access_token' },
        basic(client.clientId, client.secret),
      ).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await introspect(api, client, token)).body).toEqual({ active: false });
      await revoke({ token }, basic(client.clientId, client.secret)).expect(200);
    });

    it("leaves another client's token alone (200 all the same)", async () => {
      const token = await clientToken(api, client);
      await revoke({ token }, basic(other.clientId, other.secret)).expect(200);
      expect((await introspect(api, client, token)).body.active).toBe(true);
    });

    it('answers 200 for unknown and garbage tokens', async () => {
      for (const token of ['garbage', 'A'.repeat(70), `${await clientToken(api, client)}x`]) {
        await revoke({ token }, basic(client.clientId, client.secret)).expect(200);
      }
    });

    it('keeps a revoked access token dead until it expires, whatever other revocations prune', async () => {
      const first = await clientToken(api, client);
      await revoke({ token: first }, basic(client.clientId, client.secret)).expect(200);
      // Just past exp, still inside the verifier's 5 s tolerance; a second revocation prunes old rows.
      api.clock.advance(902 * SECOND);
      await revoke(
        { token: await clientToken(api, client) },
        basic(client.clientId, client.secret),
      ).expect(200);
      expect((await introspect(api, client, first)).body).toEqual({ active: false });
    });

    it('revokes the session of a refresh token presented by the first-party client auth-api', async () => {
      const user = await registerAndLogin(api);
      await revoke({
        token: user.refreshToken,
        token_type_hint: 'refresh_token',
        client_id: 'auth-api',
      }).expect(200);
      const res = await api
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(401);
      expect(res.body.error).toBe('invalid_grant');
      await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(401);
      expect((await introspect(api, client, user.refreshToken)).body).toEqual({ active: false });
      expect((await introspect(api, client, user.accessToken)).body).toEqual({ active: false });
    });

    it("revokes a user's access token alone: the session keeps working", async () => {
      const user = await registerAndLogin(api);
      await revoke({ token: user.accessToken, client_id: 'auth-api' }).expect(200);
      await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(401);
      const refreshed = await api
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(200);
      await api
        .http()
        .get('/auth/me')
        .auth(refreshed.body.access_token, { type: 'bearer' })
        .expect(200);
    });

    it("does not let a service client revoke a user's session", async () => {
      const user = await registerAndLogin(api);
      await revoke({ token: user.refreshToken }, basic(client.clientId, client.secret)).expect(200);
      await revoke({ token: user.accessToken }, basic(client.clientId, client.secret)).expect(200);
      await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(200);
      await api.http().post('/auth/refresh').send({ refresh_token: user.refreshToken }).expect(200);
    });

    it('requires a client, and a token', async () => {
      const token = await clientToken(api, client);
      expectOAuthError(await revoke({ token }), 401, 'invalid_client');
      expectOAuthError(await revoke({ token, client_id: client.clientId }), 401, 'invalid_client');
      expectOAuthError(
        await revoke({ token }, basic(client.clientId, 'wrong')),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await revoke({}, basic(client.clientId, client.secret)),
        400,
        'invalid_request',
      );
      expect((await introspect(api, client, token)).body.active).toBe(true);
    });
  });

  describe('deleted clients', () => {
    it("makes a deleted client's tokens inactive at once and refuses its credentials", async () => {
      const doomed = await createClient(api, ['stats:read'], 'doomed');
      const token = await clientToken(api, doomed);
      expect((await introspect(api, client, token)).body.active).toBe(true);

      const admin = await adminToken(api);
      await api
        .http()
        .delete(`/clients/${doomed.clientId}`)
        .auth(admin, { type: 'bearer' })
        .expect(204);
      await api
        .http()
        .delete(`/clients/${doomed.clientId}`)
        .auth(admin, { type: 'bearer' })
        .expect(404);

      expect((await introspect(api, client, token)).body).toEqual({ active: false });
      expectOAuthError(
        await tokenRequest(
          api,
          { grant_type: 'client_credentials' },
          basic(doomed.clientId, doomed.secret),
        ),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await introspect(api, doomed, await clientToken(api, client)),
        401,
        'invalid_client',
      );
    });
  });
});
