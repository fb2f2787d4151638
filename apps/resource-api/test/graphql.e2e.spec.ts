import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { createHarness, type ResourceApiHarness } from './resource-api.harness';

const CREATE =
  'mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id title authorId } }';

interface Event {
  data?: unknown;
  error?: unknown;
}

/** A graphql-ws subscription to `articleCreated`, collecting what arrives until it ends. */
function follow(url: string, token?: string) {
  const events: Event[] = [];
  let client: Client;
  const ended = new Promise<void>((resolve) => {
    client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      // The closing is recorded by on.closed; graphql-ws would also print it.
      onNonLazyError: () => undefined,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      on: { closed: (event) => events.push({ error: event }) },
    });
    client.subscribe(
      { query: 'subscription { articleCreated { title authorId } }' },
      {
        next: (result) =>
          events.push(result.errors ? { error: result.errors } : { data: result.data }),
        error: (error) => {
          events.push({ error });
          resolve();
        },
        complete: resolve,
      },
    );
  });
  return { events, ended, dispose: () => client.dispose() };
}

describe('resource-api GraphQL (/graphql on Mercurius)', () => {
  let h: ResourceApiHarness;
  let wsUrl: string;

  beforeAll(async () => {
    h = await createHarness({ listen: true });
    wsUrl = `${h.url().replace('http', 'ws')}/graphql`;
  });
  afterAll(() => h.close());

  const graphql = (query: string, token?: string, variables?: Record<string, unknown>) => {
    const call = h.http().post('/graphql').set('Content-Type', 'application/json');
    if (token) call.set('Authorization', `Bearer ${token}`);
    return call.send({ query, variables });
  };
  const input = { title: 'From GraphQL', body: 'b' };

  it('lists articles without a token, the same store as GET /articles', async () => {
    const editor = h.tokens.sign({ sub: 'editor-1', roles: ['editor'] });
    const created = await graphql(CREATE, editor, { input }).expect(200);
    expect(created.body.data.createArticle).toMatchObject({
      title: 'From GraphQL',
      authorId: 'editor-1',
    });
    const listed = await graphql('{ articles { id title } }').expect(200);
    expect(listed.body.data.articles).toContainEqual({
      id: created.body.data.createArticle.id,
      title: 'From GraphQL',
    });
    const rest = await h.http().get('/articles').expect(200);
    expect(rest.body.map((article: { id: string }) => article.id)).toContain(
      created.body.data.createArticle.id,
    );
  });

  it.each([
    ['no token', undefined, 'UNAUTHENTICATED', 'ERR_TOKEN_MISSING'],
    ['a bad token', 'abc.def.ghi', 'UNAUTHENTICATED', 'ERR_TOKEN_MALFORMED'],
    ['an expired token', 'expired', 'UNAUTHENTICATED', 'ERR_TOKEN_EXPIRED'],
    ['a token of another issuer', 'foreign', 'UNAUTHENTICATED', 'ERR_ISSUER_INVALID'],
    ['a user (not an editor)', 'user', 'FORBIDDEN', 'ERR_INSUFFICIENT_ROLE'],
  ])('refuses createArticle with %s', async (_name, kind, code, error) => {
    const token =
      kind === 'expired'
        ? h.tokens.sign({ roles: ['editor'] }, { expiresIn: -120 })
        : kind === 'foreign'
          ? h.tokens.sign({ roles: ['editor'], iss: 'https://evil.example' })
          : kind === 'user'
            ? h.tokens.sign({ roles: ['user'] })
            : kind;
    const response = await graphql(CREATE, token, { input }).expect(200);
    expect(response.body.data).toBeNull();
    expect(response.body.errors).toEqual([
      expect.objectContaining({ path: ['createArticle'], extensions: { code, error } }),
    ]);
  });

  it('lets an admin create through the role hierarchy', async () => {
    const admin = h.tokens.sign({ sub: 'admin-1', roles: ['admin'] });
    const response = await graphql(CREATE, admin, { input }).expect(200);
    expect(response.body.data.createArticle.authorId).toBe('admin-1');
  });

  it('validates the input as POST /articles does: BAD_USER_INPUT with the fields', async () => {
    const editor = h.tokens.sign({ roles: ['editor'] });
    const response = await graphql(CREATE, editor, { input: { title: '', body: 'b' } }).expect(200);
    expect(response.body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      error: 'validation_failed',
      fields: [expect.objectContaining({ field: 'title' })],
    });
  });

  it('refuses cross-site simple requests (CSRF prevention) and over-deep queries', async () => {
    await h.http().get('/graphql?query={articles{id}}').expect(400);
    await h
      .http()
      .post('/graphql')
      .set('Content-Type', 'text/plain')
      .send('{"query":"mutation { createArticle(input: {title: \\"x\\", body: \\"y\\"}) { id } }"}')
      .expect(400);
    const deep =
      '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }';
    const response = await graphql(deep).expect(400);
    expect(response.body.errors[0].message).toMatch(/depth/);
  });

  describe('subscription articleCreated', () => {
    it('refuses a connection without a token or with a bad one', async () => {
      for (const token of [undefined, 'abc.def.ghi']) {
        const feed = follow(wsUrl, token);
        await feed.ended;
        expect(JSON.stringify(feed.events)).toMatch(/UNAUTHENTICATED/);
        await feed.dispose();
      }
    });

    it('delivers each new article to every signed-in subscriber', async () => {
      const alice = follow(wsUrl, h.tokens.sign({ sub: 'alice', roles: ['user'] }));
      const bob = follow(wsUrl, h.tokens.sign({ sub: 'bob', roles: ['user'] }));
      // Both connections are subscribed once the server has seen them: poll with a creation each time.
      const editor = h.tokens.sign({ sub: 'editor-2', roles: ['editor'] });
      for (let attempt = 0; attempt < 50; attempt += 1) {
        if (alice.events.length > 0 && bob.events.length > 0) break;
        await h
          .http()
          .post('/articles')
          .auth(editor, { type: 'bearer' })
          .send({ title: 'live', body: 'b' });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const feed of [alice, bob]) {
        expect(feed.events[0]).toEqual({
          data: { articleCreated: { title: 'live', authorId: 'editor-2' } },
        });
        await feed.dispose();
      }
    });

    it('is closed when its token expires, with code 4401 and reason ERR_TOKEN_EXPIRED', async () => {
      const feed = follow(
        wsUrl,
        h.tokens.sign({ sub: 'short', roles: ['user'] }, { expiresIn: 2 }),
      );
      const started = Date.now();
      await feed.ended;
      expect(Date.now() - started).toBeGreaterThan(900);
      expect(feed.events).toContainEqual({
        error: expect.objectContaining({ code: 4401, reason: 'ERR_TOKEN_EXPIRED' }),
      });
      await feed.dispose();
    });
  });
});
