import {
  type GraphqlDriverName,
  createGraphqlTestApp,
  type GraphqlTestApp,
} from './graphql-test-app';

const VIEWER = '{ viewer { sub roles scopes } }';

function errorOf(body: any): {
  message: string;
  path?: unknown[];
  extensions: Record<string, unknown>;
} {
  expect(body.errors).toHaveLength(1);
  return body.errors[0];
}

describe.each<GraphqlDriverName>(['apollo', 'mercurius'])('guards on GraphQL (%s)', (driver) => {
  let ctx: GraphqlTestApp;

  beforeAll(async () => {
    ctx = await createGraphqlTestApp(driver);
  });
  afterAll(() => ctx.app.close());

  it('answers a @Public() query without a token, with no principal', async () => {
    const res = await ctx.query('{ articles { id title } whoAmI }').expect(200);
    expect(res.body).toEqual({
      data: { articles: [{ id: '1', title: 'Hello' }], whoAmI: 'anonymous' },
    });
  });

  it('does not verify a token sent to a @Public() query, as on HTTP', async () => {
    const res = await ctx.query('{ whoAmI }', ctx.tokens.sign({ sub: 'u1' })).expect(200);
    expect(res.body).toEqual({ data: { whoAmI: 'anonymous' } });
  });

  it('refuses a query without a token: UNAUTHENTICATED / ERR_TOKEN_MISSING', async () => {
    const res = await ctx.query(VIEWER);
    expect(res.body.data ?? null).toBeNull();
    expect(errorOf(res.body).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'ERR_TOKEN_MISSING',
    });
  });

  it('refuses a bad token: UNAUTHENTICATED / ERR_TOKEN_MALFORMED', async () => {
    const res = await ctx.query(VIEWER, 'abc.def.ghi');
    expect(errorOf(res.body).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'ERR_TOKEN_MALFORMED',
    });
  });

  it('refuses a token signed by another key: ERR_SIGNATURE_INVALID or ERR_KID_UNKNOWN', async () => {
    const token = ctx.tokens.sign({}, { header: { kid: 'not-ours' } });
    const res = await ctx.query(VIEWER, token);
    expect(errorOf(res.body).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'ERR_KID_UNKNOWN',
    });
  });

  it('refuses an expired token: UNAUTHENTICATED / ERR_TOKEN_EXPIRED', async () => {
    const res = await ctx.query(VIEWER, ctx.tokens.sign({}, { expiresIn: -120 }));
    expect(errorOf(res.body).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'ERR_TOKEN_EXPIRED',
    });
  });

  it('answers a good token with the principal through @CurrentUser()', async () => {
    const token = ctx.tokens.sign({ sub: 'u1', roles: ['editor'], scope: 'a b' });
    const res = await ctx.query(VIEWER, token).expect(200);
    expect(res.body).toEqual({
      data: { viewer: { sub: 'u1', roles: ['editor'], scopes: ['a', 'b'] } },
    });
  });

  it('refuses a mutation to the wrong role: FORBIDDEN / ERR_INSUFFICIENT_ROLE', async () => {
    const mutation = 'mutation($t: String!) { createArticle(title: $t) { id title } }';
    const user = ctx.tokens.sign({ sub: 'u1', roles: ['user'] });
    const refused = await ctx.query(mutation, user, { t: 'x' });
    expect(errorOf(refused.body).extensions).toMatchObject({
      code: 'FORBIDDEN',
      error: 'ERR_INSUFFICIENT_ROLE',
    });
    const editor = ctx.tokens.sign({ sub: 'e1', roles: ['editor'] });
    const created = await ctx.query(mutation, editor, { t: 'x' }).expect(200);
    expect(created.body).toEqual({ data: { createArticle: { id: 'e1:x', title: 'x' } } });
  });

  it('refuses the wrong scope: FORBIDDEN / ERR_INSUFFICIENT_SCOPE', async () => {
    const refused = await ctx.query('{ stats }', ctx.tokens.sign({ scope: 'other' }));
    expect(errorOf(refused.body).extensions).toMatchObject({
      code: 'FORBIDDEN',
      error: 'ERR_INSUFFICIENT_SCOPE',
    });
    const res = await ctx.query('{ stats }', ctx.tokens.sign({ scope: 'stats:read' })).expect(200);
    expect(res.body).toEqual({ data: { stats: 1 } });
  });

  it('refuses a password-only login: UNAUTHENTICATED / ERR_INSUFFICIENT_USER_AUTHENTICATION', async () => {
    const mutation = 'mutation($id: String!) { deleteArticle(id: $id) }';
    const pwd = ctx.tokens.sign({ roles: ['editor'], amr: ['pwd'] });
    const refused = await ctx.query(mutation, pwd, { id: '1' });
    expect(refused.body.data ?? null).toBeNull();
    const error = errorOf(refused.body);
    expect(error.message).toBe('requires multi-factor authentication');
    expect(error.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      error: 'ERR_INSUFFICIENT_USER_AUTHENTICATION',
      acr_values: '2',
    });
    const mfa = ctx.tokens.sign({ roles: ['editor'], amr: ['pwd', 'mfa'] });
    const deleted = await ctx.query(mutation, mfa, { id: '1' }).expect(200);
    expect(deleted.body).toEqual({ data: { deleteArticle: true } });
  });

  it('guards a field resolver on its own: the field is refused, the rest answered', async () => {
    const query = '{ articles { id reviewer } }';
    const editor = await ctx.query(query, ctx.tokens.sign({ roles: ['editor'] }));
    const error = errorOf(editor.body);
    expect(error.path?.map(String)).toEqual(['articles', '0', 'reviewer']);
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', error: 'ERR_INSUFFICIENT_ROLE' });
    expect(editor.body.data).toBeNull();
    const admin = await ctx.query(query, ctx.tokens.sign({ sub: 'a1', roles: ['admin'] }));
    expect(admin.body).toEqual({ data: { articles: [{ id: '1', reviewer: 'a1' }] } });
  });

  it("keeps concurrent operations' principals apart", async () => {
    const subs = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const answers = await Promise.all(
      subs.map((sub) => ctx.query('{ viewer { sub } }', ctx.tokens.sign({ sub }))),
    );
    expect(answers.map((res) => res.body.data.viewer.sub)).toEqual(subs);
  });
});
