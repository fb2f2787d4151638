import { AUDIENCE, createHarness, type ResourceApiHarness } from './resource-api.harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('resource-api routes', () => {
  let h: ResourceApiHarness;
  let user: string;
  let editor: string;
  let admin: string;
  let client: string;

  beforeAll(async () => {
    h = await createHarness();
    user = h.tokens.sign({ sub: 'user-1', roles: ['user'], scope: 'profile', sid: 's1' });
    editor = h.tokens.sign({ sub: 'editor-1', roles: ['editor'] });
    admin = h.tokens.sign({ sub: 'admin-1', roles: ['admin'] });
    client = h.tokens.sign({
      sub: 'reporting',
      client_id: 'reporting',
      roles: [],
      scope: 'stats:read',
    });
  });
  afterAll(() => h.close());

  const newArticle = async (token = editor): Promise<{ id: string }> =>
    (
      await h
        .http()
        .post('/articles')
        .auth(token, { type: 'bearer' })
        .send({ title: 't', body: 'b' })
        .expect(201)
    ).body;

  describe('GET /health', () => {
    it('answers 200 without a token', async () => {
      await h.http().get('/health').expect(200, { status: 'ok' });
    });
  });

  describe('GET /me', () => {
    it('returns sub, roles and the space-separated scope of a user token', async () => {
      const token = h.tokens.sign({ sub: 'u9', roles: ['editor', 'user'], scope: 'read write' });
      await h
        .http()
        .get('/me')
        .auth(token, { type: 'bearer' })
        .expect(200, {
          sub: 'u9',
          roles: ['editor', 'user'],
          scope: 'read write',
        });
    });

    it('accepts a service client token without roles', async () => {
      await h.http().get('/me').auth(client, { type: 'bearer' }).expect(200, {
        sub: 'reporting',
        roles: [],
        scope: 'stats:read',
      });
    });

    it('gives an empty scope string when the token has none', async () => {
      const res = await h.http().get('/me').auth(editor, { type: 'bearer' }).expect(200);
      expect(res.body.scope).toBe('');
    });
  });

  describe('POST /articles', () => {
    it('refuses the user role with 403 forbidden and no challenge', async () => {
      const res = await h
        .http()
        .post('/articles')
        .auth(user, { type: 'bearer' })
        .send({ title: 't', body: 'b' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'forbidden',
        message: expect.any(String),
      });
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('lets an editor create an article, authored by the token subject', async () => {
      const before = Date.now();
      const res = await h
        .http()
        .post('/articles')
        .auth(editor, { type: 'bearer' })
        .send({ title: 'Hello', body: 'First post' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        title: 'Hello',
        body: 'First post',
        authorId: 'editor-1',
        createdAt: expect.any(String),
      });
      expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('lets an admin pass the editor check', async () => {
      const res = await h
        .http()
        .post('/articles')
        .auth(admin, { type: 'bearer' })
        .send({ title: 'A', body: 'B' });
      expect(res.status).toBe(201);
      expect(res.body.authorId).toBe('admin-1');
    });

    it('refuses a client token without roles', async () => {
      await h
        .http()
        .post('/articles')
        .auth(client, { type: 'bearer' })
        .send({ title: 't', body: 'b' })
        .expect(403);
    });
  });

  describe('GET /articles', () => {
    it('lists the articles without a token', async () => {
      const created = await newArticle();
      const res = await h.http().get('/articles').expect(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.body).toContainEqual(
        expect.objectContaining({ id: created.id, title: 't', body: 'b' }),
      );
    });
  });

  describe('DELETE /articles/:id', () => {
    it('refuses an editor with 403', async () => {
      const { id } = await newArticle();
      const res = await h
        .http()
        .delete(`/articles/${id}`)
        .auth(editor, { type: 'bearer' })
        .expect(403);
      expect(res.body.error).toBe('forbidden');
    });

    it('lets an admin delete (204), then answers 404 not_found', async () => {
      const { id } = await newArticle();
      const deleted = await h
        .http()
        .delete(`/articles/${id}`)
        .auth(admin, { type: 'bearer' })
        .expect(204);
      expect(deleted.text).toBe('');
      const again = await h
        .http()
        .delete(`/articles/${id}`)
        .auth(admin, { type: 'bearer' })
        .expect(404);
      expect(again.body).toEqual({
        statusCode: 404,
        error: 'not_found',
        message: expect.stringContaining(id),
      });
      const list = await h.http().get('/articles').expect(200);
      expect(list.body.map((a: { id: string }) => a.id)).not.toContain(id);
    });

    it('answers 400 validation_failed for an id that is not a UUID', async () => {
      const res = await h
        .http()
        .delete('/articles/not-a-uuid')
        .auth(admin, { type: 'bearer' })
        .expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'validation_failed',
        message: expect.any(String),
      });
    });

    it('checks the role before the id', async () => {
      await h.http().delete('/articles/not-a-uuid').auth(user, { type: 'bearer' }).expect(403);
      await h.http().delete('/articles/not-a-uuid').expect(401);
    });
  });

  describe('DELETE /articles (step-up: role admin and MFA)', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const adminWith = (claims: Record<string, unknown>) =>
      h.tokens.sign({ sub: 'admin-2', roles: ['admin'], auth_time: now(), ...claims });

    it('refuses a password-only admin with 401 and the RFC 9470 challenge', async () => {
      const { id } = await newArticle();
      const res = await h
        .http()
        .delete('/articles')
        .auth(adminWith({ amr: ['pwd'], acr: '1' }), { type: 'bearer' })
        .expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'insufficient_user_authentication',
        message: 'requires multi-factor authentication',
      });
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="${AUDIENCE}", error="insufficient_user_authentication", error_description="requires multi-factor authentication", acr_values="2"`,
      );
      const list = await h.http().get('/articles').expect(200);
      expect(list.body.map((a: { id: string }) => a.id)).toContain(id);
    });

    it('refuses an editor with 403 before asking for a stronger login', async () => {
      const editorMfa = h.tokens.sign({ roles: ['editor'], amr: ['pwd', 'otp', 'mfa'] });
      const res = await h
        .http()
        .delete('/articles')
        .auth(editorMfa, { type: 'bearer' })
        .expect(403);
      expect(res.body.error).toBe('forbidden');
    });

    it.each<[string, Record<string, unknown>]>([
      ['amr mfa (auth-api, Okta)', { amr: ['pwd', 'otp', 'mfa'], acr: '2' }],
      ['acr 2 alone (Keycloak)', { acr: '2' }],
    ])('lets an admin with %s delete every article (204)', async (_, claims) => {
      await newArticle();
      const res = await h
        .http()
        .delete('/articles')
        .auth(adminWith(claims), { type: 'bearer' })
        .expect(204);
      expect(res.text).toBe('');
      await h.http().get('/articles').expect(200, []);
    });

    it('leaves DELETE /articles/:id to the role alone', async () => {
      const { id } = await newArticle();
      await h
        .http()
        .delete(`/articles/${id}`)
        .auth(adminWith({ amr: ['pwd'] }), { type: 'bearer' })
        .expect(204);
    });
  });

  describe('GET /internal/stats', () => {
    it('refuses a token without the stats:read scope with 403 insufficient_scope and a challenge', async () => {
      for (const token of [user, admin]) {
        const res = await h
          .http()
          .get('/internal/stats')
          .auth(token, { type: 'bearer' })
          .expect(403);
        expect(res.body).toEqual({
          statusCode: 403,
          error: 'insufficient_scope',
          message: expect.any(String),
        });
        expect(res.headers['www-authenticate']).toMatch(
          /^Bearer realm="resource-api", error="insufficient_scope"/,
        );
        expect(res.headers['www-authenticate']).toContain('scope="stats:read"');
      }
    });

    it('answers a client token holding stats:read with the article count and uptime', async () => {
      const listed = (await h.http().get('/articles').expect(200)).body as unknown[];
      const res = await h
        .http()
        .get('/internal/stats')
        .auth(client, { type: 'bearer' })
        .expect(200);
      expect(res.body).toEqual({ articles: listed.length, uptimeSeconds: expect.any(Number) });
    });

    it('answers 401 without a token', async () => {
      await h.http().get('/internal/stats').expect(401);
    });
  });
});
