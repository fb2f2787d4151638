import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, ServiceProcess } from '../service-process';
import {
  ADMIN,
  expectNone,
  logLines,
  PASSWORD,
  type Reply,
  send,
  sendRaw,
  type SendOptions,
} from './support';

/** Every endpoint of the contract, both services. */
interface Endpoint {
  service: 'auth' | 'resource';
  method: string;
  path: string;
  body: 'json' | 'form' | 'none';
  /** The DTO's fields, to put wrong types and hostile strings in. */
  fields: string[];
  /** Who may call it in the run. Logout endpoints get a throw-away user; the probe user is never used. */
  auth: Array<'none' | 'user' | 'admin' | 'client' | 'throwaway' | 'basic'>;
}

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

function endpoints(ids: { victim: string }): Endpoint[] {
  const anyone = ['none', 'user', 'client'] as Endpoint['auth'];
  const bearer = ['none', 'user', 'admin', 'client'] as Endpoint['auth'];
  return [
    {
      service: 'auth',
      method: 'POST',
      path: '/auth/register',
      body: 'json',
      fields: ['email', 'password'],
      auth: anyone,
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/auth/login',
      body: 'json',
      fields: ['email', 'password'],
      auth: anyone,
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/auth/refresh',
      body: 'json',
      fields: ['refresh_token'],
      auth: anyone,
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/auth/logout',
      body: 'json',
      fields: ['refresh_token'],
      auth: ['none', 'throwaway', 'client'],
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/auth/logout-all',
      body: 'json',
      fields: [],
      auth: ['none', 'throwaway', 'client'],
    },
    { service: 'auth', method: 'GET', path: '/auth/me', body: 'none', fields: [], auth: bearer },
    {
      service: 'auth',
      method: 'GET',
      path: '/auth/sessions',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'DELETE',
      path: `/auth/sessions/${NO_SUCH_ID}`,
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'DELETE',
      path: '/auth/sessions/not-a-uuid',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/auth/password',
      body: 'json',
      fields: ['currentPassword', 'newPassword'],
      auth: ['none', 'user', 'client'],
    },
    {
      service: 'auth',
      method: 'GET',
      path: '/users?offset=-1&limit=abc',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'GET',
      path: '/users?offset=1&offset=2&limit=1e3',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'GET',
      path: `/users/${ids.victim}`,
      body: 'none',
      fields: [],
      auth: bearer,
    },
    { service: 'auth', method: 'GET', path: '/users/%00', body: 'none', fields: [], auth: bearer },
    {
      service: 'auth',
      method: 'PATCH',
      path: `/users/${ids.victim}`,
      body: 'json',
      fields: ['roles', 'disabled'],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'DELETE',
      path: `/users/${NO_SUCH_ID}`,
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/clients',
      body: 'json',
      fields: ['name', 'scopes'],
      auth: bearer,
    },
    { service: 'auth', method: 'GET', path: '/clients', body: 'none', fields: [], auth: bearer },
    {
      service: 'auth',
      method: 'DELETE',
      path: '/clients/no-such-client',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/oauth/token',
      body: 'form',
      fields: ['grant_type', 'scope', 'refresh_token', 'client_id', 'client_secret'],
      auth: ['none', 'basic', 'user'],
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/oauth/revoke',
      body: 'form',
      fields: ['token', 'token_type_hint', 'client_id', 'client_secret'],
      auth: ['none', 'basic', 'user'],
    },
    {
      service: 'auth',
      method: 'POST',
      path: '/oauth/introspect',
      body: 'form',
      fields: ['token', 'token_type_hint', 'client_id', 'client_secret'],
      auth: ['none', 'basic', 'user'],
    },
    {
      service: 'auth',
      method: 'GET',
      path: '/.well-known/jwks.json',
      body: 'none',
      fields: [],
      auth: anyone,
    },
    {
      service: 'auth',
      method: 'GET',
      path: '/.well-known/oauth-authorization-server',
      body: 'none',
      fields: [],
      auth: anyone,
    },
    { service: 'auth', method: 'GET', path: '/health', body: 'none', fields: [], auth: anyone },
    {
      service: 'auth',
      method: 'GET',
      path: '/health/live',
      body: 'none',
      fields: [],
      auth: anyone,
    },
    {
      service: 'auth',
      method: 'GET',
      path: '/health/ready',
      body: 'none',
      fields: [],
      auth: anyone,
    },
    {
      service: 'auth',
      method: 'GET',
      path: '/no/such/route',
      body: 'none',
      fields: [],
      auth: anyone,
    },
    { service: 'resource', method: 'GET', path: '/health', body: 'none', fields: [], auth: anyone },
    {
      service: 'resource',
      method: 'GET',
      path: '/articles',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'resource',
      method: 'POST',
      path: '/articles',
      body: 'json',
      fields: ['title', 'body'],
      auth: bearer,
    },
    {
      service: 'resource',
      method: 'DELETE',
      path: '/articles',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'resource',
      method: 'DELETE',
      path: `/articles/${NO_SUCH_ID}`,
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'resource',
      method: 'DELETE',
      path: '/articles/%ZZ',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    { service: 'resource', method: 'GET', path: '/me', body: 'none', fields: [], auth: bearer },
    {
      service: 'resource',
      method: 'GET',
      path: '/internal/stats',
      body: 'none',
      fields: [],
      auth: bearer,
    },
    {
      service: 'resource',
      method: 'GET',
      path: '/no/such/route',
      body: 'none',
      fields: [],
      auth: anyone,
    },
  ];
}

/** Strings that break naive code: NUL, lone surrogates, RTL override, emoji, look-alikes, injections. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'ada\u0000@example.com',
  '\ud800',
  'x\udfffy@example.com',
  '\u202egnp.exe',
  '😀'.repeat(64),
  '\ufeffadmin@example.com',
  '\u200b',
  'ａｄｍｉｎ@example.com',
  'İ@example.com',
  '\uffff\ufffe',
  '%00%c0%af',
  '../../../../etc/passwd',
  "' OR '1'='1' --",
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'a'.repeat(100_000 / 2),
  'admin@example.com',
];

const BIG = 60 * 1024; // just under the 64 KiB body limit

/** JSON texts a decoder and a validator must survive, for an endpoint with `fields`. */
function hostileJsonBodies(fields: string[]): string[] {
  const [f = 'email', g = 'password'] = fields;
  const q = JSON.stringify;
  const nest = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const nestArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  return [
    '',
    '{',
    '{"a":',
    '{"a":1}}',
    '[',
    'null',
    'true',
    '0',
    '-1e999',
    '"just a string"',
    '[]',
    '[{}]',
    '{}',
    '{"a":1,}',
    "{'a':1}",
    '{"a":NaN}',
    '{"a":undefined}',
    '\u0000',
    '{"\u0000":"\u0000"}',
    `{${q(f)}:"\\ud800",${q(g)}:"\\udc00\\u0000"}`,
    `{${q(f)}:1,${q(g)}:2}`,
    `{${q(f)}:[],${q(g)}:{}}`,
    `{${q(f)}:null,${q(g)}:true}`,
    `{${q(f)}:["a","b"],${q(g)}:[1]}`,
    `{${q(f)}:{"$gt":""},${q(g)}:{"$ne":null}}`,
    `{${q(f)}:"a",${q(f)}:"b",${q(g)}:"c"}`,
    `{${q(f)}:1e400,${q(g)}:-0}`,
    `{${q(f)}:${q('x'.repeat(BIG))}}`,
    `{${q(f)}:${q('é'.repeat(BIG / 2 - 16))}}`,
    `{${q(f)}:${q('x'.repeat(70 * 1024))}}`,
    nest(2000),
    `{${q(f)}:${nest(5000)}}`,
    nestArrays(20_000),
    `{${q(f)}:${nestArrays(10_000)}}`,
    `[${'{},'.repeat(15_000)}{}]`,
    `{${Array.from({ length: 3000 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
    '{"__proto__":{"polluted":"yes","isAdmin":true,"roles":["admin"]}}',
    `{${q(f)}:"a@example.com",${q(g)}:"password123","__proto__":{"polluted":"yes","isAdmin":true}}`,
    '{"constructor":{"prototype":{"polluted":"yes","isAdmin":true}}}',
    `{${q(f)}:{"__proto__":{"polluted":"yes"}},${q(g)}:{"constructor":{"prototype":{"polluted":"yes"}}}}`,
    '{"prototype":{"polluted":"yes"},"__defineGetter__":1,"hasOwnProperty":"x","toString":"x","valueOf":1}',
    '[{"__proto__":{"polluted":"yes"}}]',
    ...ODD_STRINGS.map((s) => `{${q(f)}:${q(s)},${q(g)}:${q(s)}}`),
  ];
}

/** Percent-encodes the UTF-8 bytes of any string, lone surrogates included (encodeURIComponent throws on those). */
const percent = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

function hostileForms(fields: string[]): string[] {
  const [f = 'grant_type', g = 'token'] = fields;
  return [
    '',
    '&&&',
    '=',
    `${f}`,
    `${f}=%ZZ`,
    `${f}=%00&${g}=%ud800`,
    `${f}=a&${f}=b`,
    `${f}[]=a&${g}[x]=b`,
    `__proto__[polluted]=yes&constructor[prototype][polluted]=yes&${f}=client_credentials`,
    `${f}=${'x'.repeat(BIG)}`,
    `${f}=client_credentials&scope=${percent('\u0000 😀 \u202e')}`,
    `${f}=refresh_token&refresh_token=${'A'.repeat(70)}`,
    `${f}=password&username=a&password=b`,
    Array.from({ length: 3000 }, (_, i) => `k${i}=${i}`).join('&'),
    ...ODD_STRINGS.map((s) => `${f}=${percent(s)}&${g}=${percent(s)}`),
  ];
}

/** Authorization headers that are not what the endpoint expects. */
function badAuthorizations(userToken: string): string[] {
  const [head, payload] = userToken.split('.');
  const b64 = (value: string) => Buffer.from(value).toString('base64url');
  const none = `${b64(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`;
  const hs = `${b64(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: 'x' }))}.${payload}.${b64('sig')}`;
  const jku = `${b64(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', jku: 'http://127.0.0.1:1/jwks', kid: 'evil' }))}.${payload}.${b64('sig')}`;
  const proto = `${head}.${b64(JSON.stringify({ __proto__: { isAdmin: true }, constructor: { prototype: { polluted: 'yes' } }, sub: 'x' }))}.${userToken.split('.')[2]}`;
  return [
    '',
    'Bearer',
    'Bearer ',
    'Bearer  ',
    `Bearer  ${userToken}`,
    `bearer ${userToken}`,
    `BEARER ${userToken}`,
    `Bearer\t${userToken}`,
    `Bearer ${userToken} extra`,
    `Bearer ${userToken},Bearer ${userToken}`,
    `Token ${userToken}`,
    `Basic ${Buffer.from('a:b').toString('base64')}`,
    'Basic !!!',
    `Basic ${Buffer.from(':').toString('base64')}`,
    `Basic ${Buffer.from(`${'x'.repeat(6000)}:y`).toString('base64')}`,
    'Digest username="admin", realm="x", nonce="1", uri="/", response="0"',
    'Bearer a.b.c',
    'Bearer ...',
    'Bearer e30.e30.e30',
    `Bearer ${'a'.repeat(9000)}`,
    `Bearer ${none}`,
    `Bearer ${hs}`,
    `Bearer ${jku}`,
    `Bearer ${proto}`,
    `Bearer ${userToken.slice(0, -4)}AAAA`,
    `Bearer ${userToken}\u00e9`,
    `Bearer ${Buffer.from('\u00ff\u00fe').toString('latin1')}`,
  ];
}

/** Random JSON texts, keys included: fast-check builds the text, so `__proto__` stays a plain key. */
function jsonText(fields: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(
      ...(fields.length ? fields : ['x']),
      '__proto__',
      'constructor',
      'prototype',
      'isAdmin',
      'roles',
    ),
    fc.string({ maxLength: 12 }),
  );
  const scalar = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(...ODD_STRINGS.slice(0, -2)),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  const { value } = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar.map((v) => JSON.stringify(v) ?? 'null'),
      fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
      fc
        .array(fc.tuple(key, tie('value')), { maxLength: 5 })
        .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    ),
  }));
  // Mostly objects with the endpoint's fields, sometimes anything at all.
  const object = fc
    .array(fc.tuple(key, value), { maxLength: 6 })
    .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  return fc.oneof({ weight: 4, arbitrary: object }, { weight: 1, arbitrary: value });
}

/**
 * An HTTP fuzz run over every endpoint of both built services: broken JSON, wrong types, huge and
 * deeply nested bodies near the 64 KiB limit, `__proto__`/`constructor` keys, NUL and odd
 * Unicode, long headers and URLs, bad Authorization schemes, raw malformed requests, and random
 * bodies from fast-check. Zero 5xx, both processes alive, and no prototype pollution: afterwards
 * a plain user still looks plain everywhere.
 */
describe('HTTP fuzz over every endpoint of auth-api and resource-api', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let resource: ServiceProcess;
  const tokens: Record<string, string> = {};
  let basic = '';
  let victimId = '';
  const probe = { email: 'probe@example.com', password: PASSWORD, id: '' };
  const results: Array<{ where: string; reply: Pick<Reply, 'status' | 'text' | 'error'> }> = [];

  const login = async (email: string, password: string) => {
    const reply = await send(auth.url, 'POST', '/auth/login', { body: { email, password } });
    expect(reply.status).toBe(200);
    return reply.body.access_token as string;
  };
  const register = async (email: string) => {
    const reply = await send(auth.url, 'POST', '/auth/register', {
      body: { email, password: PASSWORD },
    });
    expect(reply.status).toBe(201);
    return reply.body.id as string;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'reliability-fuzz-'));
    const [authPort, resourcePort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${authPort}`;
    auth = new ServiceProcess('auth-api', authPort, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: issuer,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOGIN_MAX_FAILURES: '1000',
    });
    resource = new ServiceProcess('resource-api', resourcePort, { AUTH_ISSUER: issuer });
    await Promise.all([auth.start(), resource.start()]);

    probe.id = await register(probe.email);
    await register('fuzz-user@example.com');
    await register('throwaway@example.com');
    victimId = await register('victim@example.com');
    tokens.user = await login('fuzz-user@example.com', PASSWORD);
    tokens.throwaway = await login('throwaway@example.com', PASSWORD);
    tokens.admin = await login(ADMIN.email, ADMIN.password);
    const client = await send(auth.url, 'POST', '/clients', {
      token: tokens.admin,
      body: { name: 'fuzz', scopes: ['stats:read'] },
    });
    expect(client.status).toBe(201);
    basic = `Basic ${Buffer.from(`${client.body.client_id}:${client.body.client_secret}`).toString('base64')}`;
    const granted = await send(auth.url, 'POST', '/oauth/token', {
      headers: { authorization: basic },
      form: { grant_type: 'client_credentials' },
    });
    expect(granted.status).toBe(200);
    tokens.client = granted.body.access_token;
  });

  afterAll(async () => {
    auth?.kill();
    resource?.kill();
    await Promise.all([auth?.exited(), resource?.exited()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const base = (endpoint: Endpoint) => (endpoint.service === 'auth' ? auth.url : resource.url);
  const authHeader = (kind: Endpoint['auth'][number]): Record<string, string> =>
    kind === 'none'
      ? {}
      : kind === 'basic'
        ? { authorization: basic }
        : { authorization: `Bearer ${tokens[kind]}` };

  async function hit(endpoint: Endpoint, label: string, options: SendOptions): Promise<Reply> {
    const reply = await send(base(endpoint), endpoint.method, endpoint.path, {
      timeoutMs: 15_000,
      ...options,
    });
    results.push({
      where: `${endpoint.method} ${endpoint.service}${endpoint.path} [${label}]`,
      reply,
    });
    return reply;
  }

  /** Requests of the current test that got a 5xx or no answer at all. */
  let firstOfTest = 0;
  beforeEach(() => {
    firstOfTest = results.length;
  });
  const serverErrors = () =>
    results
      .slice(firstOfTest)
      .filter(({ reply }) => reply.status >= 500 || reply.status === 0)
      .map(
        ({ where, reply }) =>
          `${where}: ${reply.status} ${reply.error ?? reply.text.slice(0, 200)}`,
      );

  it('survives hostile bodies on every endpoint, with every kind of caller', async () => {
    for (const endpoint of endpoints({ victim: victimId })) {
      const bodies =
        endpoint.body === 'form'
          ? hostileForms(endpoint.fields).map((text) => ({
              text,
              type: 'application/x-www-form-urlencoded',
            }))
          : hostileJsonBodies(endpoint.fields).map((text) => ({ text, type: 'application/json' }));
      // The same bodies under the wrong and odd content types too (a few of them).
      const extra = bodies.slice(0, 12).flatMap(({ text }) => [
        { text, type: 'text/plain' },
        {
          text,
          type: endpoint.body === 'form' ? 'application/json' : 'application/x-www-form-urlencoded',
        },
        { text, type: 'application/json; charset=utf-16' },
        { text, type: 'multipart/form-data; boundary=x' },
      ]);
      const all = [...bodies, ...extra];
      for (let i = 0; i < all.length; i++) {
        const caller = endpoint.auth[i % endpoint.auth.length];
        await hit(endpoint, `${caller} ${all[i].type} #${i}`, {
          body: all[i].text,
          contentType: all[i].type,
          headers: authHeader(caller),
        });
      }
    }
    expectNone(serverErrors(), 'hostile bodies got a 5xx or no answer');
  }, 240_000);

  it('survives bad Authorization headers, long headers and long URLs', async () => {
    // On the pooled keep-alive sockets of every other request: a 431 says `Connection: close`, so
    // the next request never meets a socket the service has closed (a reset would count as no answer).
    for (const endpoint of endpoints({ victim: victimId })) {
      for (const [i, value] of badAuthorizations(tokens.user).entries()) {
        await hit(endpoint, `authorization #${i}`, {
          headers: { authorization: value },
          body: endpoint.body === 'json' ? '{}' : undefined,
        });
      }
      await hit(endpoint, 'two authorization headers', {
        headers: { authorization: [`Bearer ${tokens.user}`, basic] as unknown as string },
      });
      await hit(endpoint, 'long header', { headers: { 'x-long': 'x'.repeat(15_000) } });
      await hit(endpoint, 'too long header', { headers: { 'x-long': 'x'.repeat(70_000) } });
      await hit(endpoint, 'many headers', {
        headers: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-h${i}`, 'v'])),
      });
      await hit(endpoint, 'odd request id', {
        headers: { 'x-request-id': `${'\u00ff'.repeat(200)}\t` },
      });
      await hit(endpoint, 'long request id', {
        headers: { 'x-request-id': 'r'.repeat(10_000) },
      });
      await hit(endpoint, 'content-length without body', {
        headers: { 'content-type': 'application/json', 'content-length': '0' },
      });
    }
    for (const service of [auth, resource]) {
      for (const path of [
        `/${'a'.repeat(8000)}`,
        `/auth/me?${'q=1&'.repeat(3000)}`,
        `/users/${'%ff'.repeat(300)}`,
        '/users/%',
        '/articles/%00%00',
        '/%2e%2e/%2e%2e/etc/passwd',
        '//auth//me',
        '/auth/me/',
        '/.well-known/jwks.json?__proto__[polluted]=yes&constructor[prototype][polluted]=yes',
        `/${encodeURIComponent('😀'.repeat(500))}`,
        `/articles?x=${'y'.repeat(60_000)}`,
      ]) {
        const reply = await send(service.url, 'GET', path, { timeoutMs: 15_000 });
        results.push({ where: `GET ${service.name}${path.slice(0, 60)}`, reply });
      }
      for (const method of ['PUT', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'CONNECT']) {
        const reply = await send(
          service.url,
          method,
          method === 'CONNECT' ? '127.0.0.1:1' : '/auth/me',
          { timeoutMs: 15_000 },
        );
        // CONNECT may be answered by closing the connection; that is not a server error.
        if (method !== 'CONNECT' || reply.status !== 0)
          results.push({ where: `${method} ${service.name}`, reply });
      }
    }
    expectNone(serverErrors(), 'hostile headers or URLs got a 5xx or no answer');
  }, 240_000);

  it('answers raw malformed requests with a 4xx or by closing, never a 5xx', async () => {
    const raw = (head: string, body: Buffer | string = '') =>
      Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
    const cases: Array<[string, Buffer]> = [
      ['NUL in a header', raw('GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n')],
      [
        'obs-text in the Authorization header',
        raw(
          `GET /auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u00ff\u00fe${tokens.user}\r\n\r\n`,
        ),
      ],
      [
        'invalid UTF-8 in the body',
        raw(
          'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 32\r\n\r\n',
          Buffer.from([
            0x7b, 0x22, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0xed, 0xa0,
            0x80, 0xff, 0xfe, 0x22, 0x2c, 0x22, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64,
            0x22, 0x3a, 0x31, 0x7d,
          ]),
        ),
      ],
      ['invalid UTF-8 in the URL', raw('GET /users/\xc0\xaf\xff HTTP/1.1\r\nHost: x\r\n\r\n')],
      [
        'both Content-Length and Transfer-Encoding',
        raw(
          'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        ),
      ],
      [
        'broken chunked encoding',
        raw(
          'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
        ),
      ],
      [
        'a negative Content-Length',
        raw(
          'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}',
        ),
      ],
      [
        'two Content-Lengths',
        raw(
          'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
        ),
      ],
      [
        'a declared 10 MB body',
        raw(
          'POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"email":',
        ),
      ],
      ['HTTP/0.9', raw('GET /health\r\n\r\n')],
      ['HTTP/2 preface', raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
      ['a space in the path', raw('GET /auth me HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['garbage', raw('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03')],
      ['a header without a colon', raw('GET /health HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n')],
    ];
    const failures: string[] = [];
    for (const service of [auth, resource]) {
      for (const [name, bytes] of cases) {
        const { status, head } = await sendRaw(service.port, bytes, 5000);
        if (status >= 500) failures.push(`${service.name}, ${name}: ${head}`);
      }
    }
    expectNone(failures, 'raw malformed requests got a 5xx');
  }, 120_000);

  it('random bodies (fast-check) to every endpoint with a body give 4xx or success, never 5xx', async () => {
    for (const endpoint of endpoints({ victim: victimId }).filter((e) => e.body !== 'none')) {
      const body =
        endpoint.body === 'form'
          ? fc
              .array(
                fc.tuple(
                  fc.oneof(
                    fc.constantFrom(...endpoint.fields, '__proto__'),
                    fc.string({ maxLength: 8 }),
                  ),
                  fc.string({ unit: 'binary', maxLength: 40 }),
                ),
                { maxLength: 6 },
              )
              .map((pairs) => new URLSearchParams(pairs).toString())
          : jsonText(endpoint.fields);
      await fc.assert(
        fc.asyncProperty(body, fc.constantFrom(...endpoint.auth), async (text, caller) => {
          const reply = await hit(endpoint, `fast-check ${caller}`, {
            body: text,
            contentType:
              endpoint.body === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
            headers: authHeader(caller),
          });
          return reply.status > 0 && reply.status < 500;
        }),
        { numRuns: 60, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
    }
    expectNone(serverErrors(), 'random bodies got a 5xx or no answer');
  }, 240_000);

  it('leaves both processes up, and nothing polluted: a plain user is still plain everywhere', async () => {
    expect([auth.alive, resource.alive]).toEqual([true, true]);
    // Nothing reached the catch-all as an unexpected error either.
    expectNone(
      [
        ...logLines(auth.output, 'unhandled error'),
        ...logLines(resource.output, 'unhandled error'),
      ],
      'unhandled errors logged',
    );
    const token = await login(probe.email, probe.password);
    const me = await send(auth.url, 'GET', '/auth/me', { token });
    expect(me.status).toBe(200);
    expect(Object.keys(me.body).sort()).toEqual([
      'createdAt',
      'email',
      'emailVerified',
      'id',
      'roles',
    ]);
    expect(me.body).toMatchObject({ id: probe.id, email: probe.email, roles: ['user'] });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.roles).toEqual(['user']);
    expect(claims).not.toHaveProperty('isAdmin');
    expect(claims).not.toHaveProperty('polluted');

    const onResource = await send(resource.url, 'GET', '/me', { token });
    expect(onResource.body).toEqual({ sub: probe.id, roles: ['user'], scope: '' });
    expect(
      (await send(resource.url, 'POST', '/articles', { token, body: { title: 't', body: 'b' } }))
        .status,
    ).toBe(403);
    expect((await send(auth.url, 'GET', '/users', { token })).status).toBe(403);
    for (const reply of [
      await send(auth.url, 'GET', '/health'),
      await send(resource.url, 'GET', '/articles'),
      await send(auth.url, 'GET', `/users/${probe.id}`, {
        token: await login(ADMIN.email, ADMIN.password),
      }),
      await send(auth.url, 'POST', '/auth/register', { body: {} }),
    ]) {
      expect(reply.text).not.toContain('polluted');
      expect(reply.text).not.toContain('isAdmin');
    }
    const counts = results.reduce<Record<string, number>>((acc, { reply }) => {
      const key = reply.status <= 0 ? 'not sent' : `${Math.floor(reply.status / 100)}xx`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    process.stdout.write(
      `[reliability] HTTP fuzz: ${results.length} requests, ${JSON.stringify(counts)}\n`,
    );
  });
});
