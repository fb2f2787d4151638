import { claimsOf, headerOf, registerAndLogin, type TestAuthApi } from './harness';
import {
  basic,
  CLIENT_SCOPES,
  createClient,
  expectOAuthError,
  startOAuthApi,
  type TestClient,
  tokenRequest,
} from './oauth-harness';

const CLIENT_CREDENTIALS = { grant_type: 'client_credentials' };
const SECOND = 1000;

/** Percent-encodes every character, so only a server that form-decodes the Basic parts accepts it. */
function encodeEveryChar(part: string): string {
  return [...Buffer.from(part)]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

describe('auth-api: POST /oauth/token (RFC 6749)', () => {
  let api: TestAuthApi;
  let client: TestClient;

  beforeAll(async () => {
    api = await startOAuthApi({ REFRESH_REUSE_INTERVAL: '10' });
    client = await createClient(api);
  });
  afterAll(() => api.close());

  describe('client_credentials', () => {
    it('issues a service token with client_secret_basic: §5.1 body, no refresh token, no-store', async () => {
      const res = await tokenRequest(
        api,
        CLIENT_CREDENTIALS,
        basic(client.clientId, client.secret),
      ).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        scope: CLIENT_SCOPES.join(' '),
      });
      expect(headerOf(res.body.access_token)).toEqual({
        alg: 'ES256',
        typ: 'at+jwt',
        kid: expect.any(String),
      });
      const claims = claimsOf(res.body.access_token);
      expect(claims).toEqual({
        iss: 'http://auth.test',
        sub: client.clientId,
        client_id: client.clientId,
        aud: 'resource-api',
        scope: CLIENT_SCOPES.join(' '),
        roles: [],
        iat: expect.any(Number),
        exp: (claims.iat as number) + 900,
        jti: expect.any(String),
      });
      expect(claims).not.toHaveProperty('sid');
    });

    it('issues a token with client_secret_post', async () => {
      const res = await tokenRequest(api, {
        ...CLIENT_CREDENTIALS,
        client_id: client.clientId,
        client_secret: client.secret,
      }).expect(200);
      expect(claimsOf(res.body.access_token)).toMatchObject({
        sub: client.clientId,
        client_id: client.clientId,
      });
      expect(res.body).not.toHaveProperty('refresh_token');
    });

    it('form-decodes the Basic credentials (RFC 6749 §2.3.1) and accepts a matching posted client_id', async () => {
      await tokenRequest(
        api,
        CLIENT_CREDENTIALS,
        basic(client.clientId, client.secret, encodeEveryChar),
      ).expect(200);
      await tokenRequest(
        api,
        { ...CLIENT_CREDENTIALS, client_id: client.clientId },
        basic(client.clientId, client.secret),
      ).expect(200);
    });

    it('narrows the token to a requested subset of the allowed scopes', async () => {
      const res = await tokenRequest(
        api,
        { ...CLIENT_CREDENTIALS, scope: 'stats:read' },
        basic(client.clientId, client.secret),
      ).expect(200);
      expect(res.body.scope).toBe('stats:read');
      expect(claimsOf(res.body.access_token).scope).toBe('stats:read');
    });

    it.each(['admin', 'stats:read admin', 'reports:write stats:write', 'a"b', 'back\\slash'])(
      'refuses scope %p with invalid_scope',
      async (scope) => {
        const res = await tokenRequest(
          api,
          { ...CLIENT_CREDENTIALS, scope },
          basic(client.clientId, client.secret),
        );
        expectOAuthError(res, 400, 'invalid_scope');
      },
    );

    it('answers invalid_request when both client_secret_basic and client_secret_post are used', async () => {
      const res = await tokenRequest(
        api,
        { ...CLIENT_CREDENTIALS, client_id: client.clientId, client_secret: client.secret },
        basic(client.clientId, client.secret),
      );
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('answers invalid_request when the posted client_id differs from the Basic one', async () => {
      const res = await tokenRequest(
        api,
        { ...CLIENT_CREDENTIALS, client_id: 'svc_other' },
        basic(client.clientId, client.secret),
      );
      expectOAuthError(res, 400, 'invalid_request');
    });

    it.each([
      ['a wrong secret (basic)', () => ({ auth: basic(client.clientId, `${client.secret}x`) })],
      ['an unknown client (basic)', () => ({ auth: basic('svc_unknown', client.secret) })],
      ['a malformed Basic header', () => ({ auth: 'Basic !!not-base64!!' })],
      [
        'Basic credentials without a colon',
        () => ({ auth: `Basic ${Buffer.from('no-colon').toString('base64')}` }),
      ],
      [
        'a wrong secret (post)',
        () => ({ form: { client_id: client.clientId, client_secret: `${client.secret}x` } }),
      ],
      [
        'an unknown client (post)',
        () => ({ form: { client_id: 'svc_unknown', client_secret: client.secret } }),
      ],
      ['a client_id without a secret', () => ({ form: { client_id: client.clientId } })],
    ])('answers 401 invalid_client with a Basic challenge for %s', async (_name, credentials) => {
      const { auth, form } = credentials() as { auth?: string; form?: Record<string, string> };
      expectOAuthError(
        await tokenRequest(api, { ...CLIENT_CREDENTIALS, ...form }, auth),
        401,
        'invalid_client',
      );
    });

    it('refuses the grant without client authentication, and to the public client', async () => {
      expectOAuthError(await tokenRequest(api, CLIENT_CREDENTIALS), 401, 'invalid_client');
      expectOAuthError(
        await tokenRequest(api, { ...CLIENT_CREDENTIALS, client_id: 'auth-api' }),
        400,
        'unauthorized_client',
      );
    });
  });

  describe('request errors', () => {
    const auth = () => basic(client.clientId, client.secret);

    it('answers invalid_request for a missing grant_type', async () => {
      expectOAuthError(
        await tokenRequest(api, { scope: 'stats:read' }, auth()),
        400,
        'invalid_request',
      );
    });

    it.each(['password', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer'])(
      'answers unsupported_grant_type for %p',
      async (grantType) => {
        expectOAuthError(
          await tokenRequest(api, { grant_type: grantType }, auth()),
          400,
          'unsupported_grant_type',
        );
      },
    );

    it.each([
      'grant_type=a&grant_type=b',
      'grant_type=client_credentials&grant_type=client_credentials',
      'grant_type=client_credentials&scope=stats:read&scope=reports:write',
    ])('answers invalid_request for the repeated parameter in %p', async (raw) => {
      expectOAuthError(await tokenRequest(api, raw, auth()), 400, 'invalid_request');
    });

    it('answers invalid_request for a JSON body', async () => {
      const res = await api
        .http()
        .post('/oauth/token')
        .set('Authorization', auth())
        .send({ grant_type: 'client_credentials' });
      expectOAuthError(res, 400, 'invalid_request');
    });
  });

  describe('refresh_token', () => {
    it('rotates a user refresh token anonymously and as client auth-api, keeping the sid', async () => {
      const user = await registerAndLogin(api);
      const sid = claimsOf(user.accessToken).sid;
      const first = await tokenRequest(api, {
        grant_type: 'refresh_token',
        refresh_token: user.refreshToken,
      }).expect(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.any(String),
      });
      expect(first.body.refresh_token).not.toBe(user.refreshToken);
      expect(claimsOf(first.body.access_token)).toMatchObject({
        sub: user.id,
        client_id: 'auth-api',
        sid,
      });

      const second = await tokenRequest(api, {
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token,
        client_id: 'auth-api',
      }).expect(200);
      expect(claimsOf(second.body.access_token).sid).toBe(sid);
    });

    it('follows the /auth/refresh reuse rules: a replay within the interval gets the current token, later it revokes', async () => {
      const user = await registerAndLogin(api);
      const rotated = await tokenRequest(api, {
        grant_type: 'refresh_token',
        refresh_token: user.refreshToken,
      }).expect(200);
      const replay = await tokenRequest(api, {
        grant_type: 'refresh_token',
        refresh_token: user.refreshToken,
      }).expect(200);
      expect(replay.body.refresh_token).toBe(rotated.body.refresh_token);

      api.clock.advance(11 * SECOND);
      expectOAuthError(
        await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: user.refreshToken }),
        400,
        'invalid_grant',
      );
      // Reuse detection revoked the whole family: the current token is dead too.
      expectOAuthError(
        await tokenRequest(api, {
          grant_type: 'refresh_token',
          refresh_token: rotated.body.refresh_token,
        }),
        400,
        'invalid_grant',
      );
      await api
        .http()
        .get('/auth/me')
        .auth(rotated.body.access_token, { type: 'bearer' })
        .expect(401);
    });

    it.each([
      ['garbage', 'garbage'],
      ['a well-formed token of no session', 'A'.repeat(70)],
      ['a 500-character token', 'x'.repeat(500)],
    ])('answers 400 invalid_grant for %s', async (_name, token) => {
      expectOAuthError(
        await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: token }),
        400,
        'invalid_grant',
      );
    });

    it('answers invalid_request for a missing or oversized refresh_token', async () => {
      expectOAuthError(
        await tokenRequest(api, { grant_type: 'refresh_token' }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await tokenRequest(api, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(600) }),
        400,
        'invalid_request',
      );
    });

    it('refuses to widen the scope of a session', async () => {
      const user = await registerAndLogin(api);
      const res = await tokenRequest(api, {
        grant_type: 'refresh_token',
        refresh_token: user.refreshToken,
        scope: 'stats:read',
      });
      expectOAuthError(res, 400, 'invalid_scope');
      await api.http().post('/auth/refresh').send({ refresh_token: user.refreshToken }).expect(200);
    });

    it("gives a confidential client invalid_grant for a user's refresh token, without revoking the session", async () => {
      const user = await registerAndLogin(api);
      const viaBasic = await tokenRequest(
        api,
        { grant_type: 'refresh_token', refresh_token: user.refreshToken },
        basic(client.clientId, client.secret),
      );
      expectOAuthError(viaBasic, 400, 'invalid_grant');
      const viaPost = await tokenRequest(api, {
        grant_type: 'refresh_token',
        refresh_token: user.refreshToken,
        client_id: client.clientId,
        client_secret: client.secret,
      });
      expectOAuthError(viaPost, 400, 'invalid_grant');
      // Nothing was rotated or revoked: the token is still the current one.
      await api.http().get('/auth/me').auth(user.accessToken, { type: 'bearer' }).expect(200);
      await api.http().post('/auth/refresh').send({ refresh_token: user.refreshToken }).expect(200);
    });
  });
});
