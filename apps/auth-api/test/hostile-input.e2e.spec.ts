import fc from 'fast-check';

import { PASSWORD, registerAndLogin, startAuthApi, type TestAuthApi } from './harness';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

/** Keys that pollute prototypes in naive merge code, and each DTO's own fields. */
const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'isAdmin', 'roles', 'polluted'];

/** Strings that trip validators: NUL, lone surrogates, RTL override, emoji, very long. */
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    'a\udc00@example.com',
    '\u202eadmin',
    '😀@example.com',
    'a@example.com',
    'x'.repeat(5000),
  ),
);

/**
 * Random JSON texts built as text, so that `__proto__` stays an ordinary key on the wire (an
 * object literal would set the prototype instead). Depth is random too, past the pipe's limit.
 */
function jsonBody(fields: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...fields, ...SPECIAL_KEYS), fc.string({ maxLength: 8 }));
  const scalar = fc
    .oneof(oddString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
    .map((v) => JSON.stringify(v) ?? 'null');
  const { value } = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
      fc
        .array(fc.tuple(key, tie('value')), { maxLength: 4 })
        .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    ),
  }));
  const nested = fc
    .integer({ min: 1, max: 3000 })
    .map(
      (depth) => `{${JSON.stringify(fields[0] ?? 'a')}:${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
  const object = fc
    .array(fc.tuple(key, value), { maxLength: 5 })
    .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  return fc.oneof(
    { weight: 6, arbitrary: object },
    { weight: 2, arbitrary: value },
    { weight: 1, arbitrary: nested },
  );
}

/**
 * DTO validation as a property: any body to the endpoints that take one gets 400 or a success
 * (or the endpoint's documented refusal), never a 5xx; and nothing reaches Object.prototype.
 * In-process, so the prototype of this very process can be inspected afterwards.
 */
describe('auth-api: random bodies against DTO validation (fast-check)', () => {
  let api: TestAuthApi;
  let user: Awaited<ReturnType<typeof registerAndLogin>>;
  let victim: Awaited<ReturnType<typeof registerAndLogin>>;
  let adminToken: string;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    api = await startAuthApi({
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOGIN_MAX_FAILURES: '1000',
    });
    user = await registerAndLogin(api);
    victim = await registerAndLogin(api);
    adminToken = (await api.http().post('/auth/login').send(ADMIN).expect(200)).body.access_token;
  });
  afterAll(() => api?.close());

  const cases: Array<{
    name: string;
    method: 'post' | 'patch';
    path: () => string;
    token?: () => string;
    fields: string[];
    allowed: number[];
  }> = [
    {
      name: 'POST /auth/register',
      method: 'post',
      path: () => '/auth/register',
      fields: ['email', 'password'],
      allowed: [201, 400, 409],
    },
    {
      name: 'POST /auth/login',
      method: 'post',
      path: () => '/auth/login',
      fields: ['email', 'password'],
      allowed: [200, 400, 401],
    },
    {
      name: 'POST /auth/refresh',
      method: 'post',
      path: () => '/auth/refresh',
      fields: ['refresh_token'],
      allowed: [200, 400, 401],
    },
    {
      name: 'POST /auth/password',
      method: 'post',
      path: () => '/auth/password',
      token: () => user.accessToken,
      fields: ['currentPassword', 'newPassword'],
      allowed: [204, 400, 403],
    },
    {
      name: 'PATCH /users/:id',
      method: 'patch',
      path: () => `/users/${victim.id}`,
      token: () => adminToken,
      fields: ['roles', 'disabled'],
      allowed: [200, 400],
    },
    {
      name: 'POST /clients',
      method: 'post',
      path: () => '/clients',
      token: () => adminToken,
      fields: ['name', 'scopes'],
      allowed: [201, 400],
    },
  ];

  it.each(cases)(
    '$name: 400 or success, never a 5xx',
    async ({ method, path, token, fields, allowed }) => {
      await fc.assert(
        fc.asyncProperty(jsonBody(fields), async (text) => {
          const request = api.http()[method](path()).set('content-type', 'application/json');
          if (token) request.set('authorization', `Bearer ${token()}`);
          const res = await request.send(text);
          if (!allowed.includes(res.status))
            throw new Error(`${res.status} ${JSON.stringify(res.body)} for ${text.slice(0, 300)}`);
          if (res.status === 400)
            expect(['validation_failed', 'invalid_json', 'bad_request']).toContain(res.body.error);
        }),
        { numRuns: 150 },
      );
    },
  );

  it('leaves Object.prototype untouched, and the user plain', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    const me = await api
      .http()
      .get('/auth/me')
      .set('authorization', `Bearer ${user.accessToken}`)
      .expect(200);
    expect(me.body).toEqual({
      id: user.id,
      email: user.email,
      roles: ['user'],
      emailVerified: false,
      createdAt: expect.any(String),
    });
    // The password is unchanged: random bodies never carried the right current password.
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
  });
});
