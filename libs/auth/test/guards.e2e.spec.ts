import request from 'supertest';

import { type AdapterName, createTestApp, type TestApp } from './test-app';

describe.each<AdapterName>(['express', 'fastify'])('guards on %s', (adapter) => {
  let ctx: TestApp;
  const http = () => request(ctx.app.getHttpServer());

  beforeAll(async () => {
    ctx = await createTestApp(adapter);
  });
  afterAll(() => ctx.app.close());

  it('lets @Public() handlers through without a token', async () => {
    await http().get('/open').expect(200, { open: true });
  });

  it('honours @Public() on a class', async () => {
    await http().get('/public-class').expect(200);
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const res = await http().get('/me').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test-api"');
    expect(res.body).toEqual({ statusCode: 401, error: 'missing_token', message: expect.any(String) });
  });

  it('accepts a valid token and exposes the principal', async () => {
    const token = ctx.tokens.sign({ sub: 'u1', roles: ['editor'], scope: 'a b', sid: 's1' });
    const res = await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
    expect(res.body).toEqual({ sub: 'u1', roles: ['editor'], scopes: ['a', 'b'], sid: 's1' });
  });

  it('answers 401 invalid_token for a bad token', async () => {
    const res = await http().get('/me').set('Authorization', 'Bearer abc.def.ghi').expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test-api", error="invalid_token"/);
    expect(res.body.error).toBe('invalid_token');
  });

  it('applies roles through the hierarchy', async () => {
    const user = ctx.tokens.sign({ roles: ['user'] });
    const editor = ctx.tokens.sign({ roles: ['editor'] });
    const admin = ctx.tokens.sign({ roles: ['admin'] });
    const res = await http().post('/articles').auth(user, { type: 'bearer' }).expect(403);
    expect(res.body).toEqual({ statusCode: 403, error: 'forbidden', message: expect.any(String) });
    expect(res.headers['www-authenticate']).toBeUndefined();
    await http().post('/articles').auth(editor, { type: 'bearer' }).expect(201);
    await http().post('/articles').auth(admin, { type: 'bearer' }).expect(201);
    await http().delete('/articles').auth(editor, { type: 'bearer' }).expect(403);
    await http().delete('/articles').auth(admin, { type: 'bearer' }).expect(200);
  });

  it('lets a method-level @Roles override the class-level one', async () => {
    const user = ctx.tokens.sign({ roles: ['user'] });
    await http().get('/admin-class').auth(user, { type: 'bearer' }).expect(403);
    await http().get('/admin-class/override').auth(user, { type: 'bearer' }).expect(200);
  });

  it('requires every scope listed in @Scopes()', async () => {
    const partial = ctx.tokens.sign({ scope: 'stats:read' });
    const full = ctx.tokens.sign({ scope: 'stats:list other stats:read' });
    const res = await http().get('/stats').auth(partial, { type: 'bearer' }).expect(403);
    expect(res.body.error).toBe('insufficient_scope');
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="test-api", error="insufficient_scope", error_description="requires scope stats:read stats:list", scope="stats:read stats:list"',
    );
    await http().get('/stats').auth(full, { type: 'bearer' }).expect(200);
  });
});
