import { createHarness, type ResourceApiHarness } from './resource-api.harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('resource-api request handling', () => {
  let h: ResourceApiHarness;
  let editor: string;

  beforeAll(async () => {
    h = await createHarness();
    editor = h.tokens.sign({ sub: 'editor-1', roles: ['editor'] });
  });
  afterAll(() => h.close());

  const post = (body: string | object, contentType = 'application/json') =>
    h
      .http()
      .post('/articles')
      .auth(editor, { type: 'bearer' })
      .set('Content-Type', contentType)
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  describe('validation of POST /articles', () => {
    it.each<[string, unknown]>([
      ['an unknown field', { title: 't', body: 'b', authorId: 'someone-else' }],
      ['a missing title', { body: 'b' }],
      ['a missing body', { title: 't' }],
      ['a number as title', { title: 42, body: 'b' }],
      ['an array as body', { title: 't', body: ['b'] }],
      ['an empty title', { title: '', body: 'b' }],
      ['a title over 200 characters', { title: 'x'.repeat(201), body: 'b' }],
      ['a body over 10000 characters', { title: 't', body: 'x'.repeat(10_001) }],
      ['an empty object', {}],
      ['a JSON array', [{ title: 't', body: 'b' }]],
      ['JSON null', null],
      ['a JSON string', 'just text'],
    ])('refuses %s with 400 validation_failed', async (_name, body) => {
      const res = await post(JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'validation_failed',
        message: expect.any(String),
      });
    });

    it('names the offending fields', async () => {
      const res = await post({ title: 42 }).expect(400);
      const fields = (res.body.fields as Array<{ field: string }>).map((f) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['title', 'body']));
    });

    it('accepts the limits exactly', async () => {
      await post({ title: 'x'.repeat(200), body: 'y'.repeat(10_000) }).expect(201);
    });
  });

  describe('malformed requests', () => {
    it('answers malformed JSON with 400, not 500', async () => {
      const res = await post('{"title": "t", "body": ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'invalid_json',
        message: expect.any(String),
      });
    });

    it('answers an empty JSON body with 400', async () => {
      const res = await post('');
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
    });

    it('answers a body over 64 KiB with 413', async () => {
      const res = await post({ title: 't', body: 'x'.repeat(65 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'payload_too_large',
        message: expect.any(String),
      });
    });

    it('answers an unsupported content type with 415', async () => {
      const res = await post('<article/>', 'application/xml');
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        statusCode: 415,
        error: 'unsupported_media_type',
        message: expect.any(String),
      });
    });

    it('drops __proto__ keys instead of polluting prototypes', async () => {
      const res = await post('{"title":"t","body":"b","__proto__":{"admin":true}}');
      expect(res.status).toBe(201);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('answers an unknown route with 404 in the error shape', async () => {
      const res = await h.http().get('/nowhere').expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'not_found',
        message: expect.any(String),
      });
    });
  });

  describe('X-Request-Id', () => {
    it('is generated when the request has none, on success and on error', async () => {
      for (const res of [
        await h.http().get('/health'),
        await h.http().get('/me'),
        await post('{'),
      ]) {
        expect(res.headers['x-request-id']).toMatch(UUID);
      }
    });

    it('echoes the id the client sent, also on errors', async () => {
      const ok = await h.http().get('/health').set('X-Request-Id', 'trace-123').expect(200);
      expect(ok.headers['x-request-id']).toBe('trace-123');
      const refused = await h.http().get('/me').set('X-Request-Id', 'trace-456').expect(401);
      expect(refused.headers['x-request-id']).toBe('trace-456');
    });

    it('replaces an id that could forge log lines', async () => {
      const res = await h.http().get('/health').set('X-Request-Id', 'a b\tc').expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
      const long = await h.http().get('/health').set('X-Request-Id', 'x'.repeat(200)).expect(200);
      expect(long.headers['x-request-id']).toMatch(UUID);
    });
  });
});
