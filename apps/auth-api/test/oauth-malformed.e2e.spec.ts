import type { TestAuthApi } from './harness';
import { basic, createClient, startOAuthApi, type TestClient } from './oauth-harness';

const FORM = 'application/x-www-form-urlencoded';
const OAUTH_ENDPOINTS = ['/oauth/token', '/oauth/revoke', '/oauth/introspect'];

/** Form bodies no OAuth endpoint may answer with a 5xx. */
const NASTY_FORMS: string[] = [
  '',
  '&&&',
  '=',
  '==&=x',
  'grant_type',
  'grant_type=',
  'grant_type=client_credentials&scope=' + 'a'.repeat(60_000),
  'grant_type=client_credentials&' + 'x=1&'.repeat(5_000),
  'grant_type=client%00_credentials',
  'grant_type=client_credentials&client_id=svc%00x&client_secret=x',
  'grant_type=refresh_token&refresh_token=%00%00%00',
  'grant_type=client_credentials&client_id=%ZZ&client_secret=%',
  'grant_type=client_credentials&client_id=%E0%A4%A&client_secret=%ED%A0%80',
  'grant_type=client_credentials&client_id=' + 'a'.repeat(300) + '&client_secret=x',
  'grant_type=client_credentials&client_id=' + 'a'.repeat(100) + '&client_secret=x',
  'grant_type=client_credentials&client_id=%F0%9F%98%80&client_secret=%F0%9F%98%80',
  '__proto__=x&grant_type=client_credentials',
  '__proto__[admin]=1&grant_type=refresh_token',
  'constructor=x&constructor[prototype][admin]=1',
  'toString=x&hasOwnProperty=y&valueOf=z&grant_type=client_credentials',
  'a[b]=c&grant_type[]=client_credentials',
  'grant_type[0]=client_credentials&token[x]=y',
  'token=%00&token_type_hint=%00',
  'token=' + 'e'.repeat(9_000),
  'token=a.b.c&token_type_hint=' + 'h'.repeat(200),
  'token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.&token_type_hint=access_token',
  'token=x&token=y',
  'client_id=auth-api&client_id=auth-api&token=x',
  'grant_type=refresh_token&refresh_token=' + 'A'.repeat(70) + '&client_id=%00',
];

/**
 * Other content types, with bodies to match, and whether the handler sees them (`oauth`: it
 * answers 400 invalid_request in the RFC 6749 shape) or Fastify refuses them before any handler
 * runs (`framework`: unparsable JSON, media types without a parser; the shared error filter
 * answers those in the `{statusCode, error, message}` shape).
 */
const OTHER_BODIES: Array<
  [string | undefined, string | Buffer | undefined, 'oauth' | 'framework']
> = [
  ['application/json', '{"grant_type":"client_credentials"}', 'oauth'],
  ['application/json', 'null', 'oauth'],
  ['application/json', '{"__proto__":{"admin":true}}', 'oauth'],
  ['text/plain', 'grant_type=client_credentials', 'oauth'],
  [`${FORM}; charset=utf-16`, Buffer.from('grant_type=client_credentials', 'utf16le'), 'oauth'],
  [undefined, undefined, 'oauth'],
  ['application/json', '{', 'framework'],
  [
    'multipart/form-data; boundary=x',
    '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--',
    'framework',
  ],
  ['application/xml', '<grant_type>client_credentials</grant_type>', 'framework'],
];

describe('auth-api: malformed requests to the OAuth endpoints never produce a 5xx', () => {
  let api: TestAuthApi;
  let client: TestClient;
  let authorizations: Array<string | undefined>;

  beforeAll(async () => {
    api = await startOAuthApi();
    client = await createClient(api);
    authorizations = [
      undefined,
      basic(client.clientId, client.secret),
      'Basic ',
      'Basic ==',
      `Basic ${Buffer.from(':').toString('base64')}`,
      `Basic ${Buffer.from('\0:\0').toString('base64')}`,
      `Basic ${Buffer.from('%ZZ:%ZZ').toString('base64')}`,
      `Basic ${Buffer.from(`${'a'.repeat(5000)}:x`).toString('base64')}`,
      'Bearer not-a-token',
      'Basic\tdGVzdDp0ZXN0',
    ];
  });
  afterAll(() => api.close());

  it.each(OAUTH_ENDPOINTS)(
    'answers every nasty form body to %s with a 4xx in the RFC 6749 error shape',
    async (path) => {
      for (const form of NASTY_FORMS) {
        for (const authorization of [undefined, basic(client.clientId, client.secret)]) {
          const req = api.http().post(path).set('Content-Type', FORM);
          if (authorization) req.set('Authorization', authorization);
          const res = await req.send(form);
          const seen = { form: form.slice(0, 80), authorization, status: res.status };
          expect(res.status < 500 ? 'ok' : seen).toBe('ok');
          // Revocation answers 200 for tokens it does not know; introspection {active:false}.
          if (res.status >= 400) {
            expect({ ...seen, body: res.body }).toEqual({
              ...seen,
              body: { error: expect.any(String), error_description: expect.any(String) },
            });
            expect(res.headers['cache-control']).toBe('no-store');
          }
        }
      }
    },
  );

  it.each(OAUTH_ENDPOINTS)(
    'answers every malformed Authorization header to %s with a 4xx',
    async (path) => {
      for (const authorization of authorizations) {
        const req = api.http().post(path).set('Content-Type', FORM);
        if (authorization) req.set('Authorization', authorization);
        const res = await req.send('grant_type=client_credentials&token=x');
        const seen = { authorization: authorization?.slice(0, 60), status: res.status };
        expect(res.status < 500 ? 'ok' : seen).toBe('ok');
      }
    },
  );

  it.each(OAUTH_ENDPOINTS)('refuses other content types to %s with a 4xx', async (path) => {
    for (const [type, body, answeredBy] of OTHER_BODIES) {
      const req = api.http().post(path).set('Authorization', basic(client.clientId, client.secret));
      if (type) req.set('Content-Type', type);
      const res = body === undefined ? await req : await req.send(body);
      const seen = { type, status: res.status, body: res.body };
      if (answeredBy === 'oauth') {
        expect(seen).toEqual({
          type,
          status: 400,
          body: { error: 'invalid_request', error_description: expect.any(String) },
        });
        expect(res.headers['cache-control']).toBe('no-store');
      } else {
        expect(res.status >= 400 && res.status < 500 ? 'ok' : seen).toBe('ok');
        expect(typeof res.body.error).toBe('string');
      }
    }
  });

  it('answers a body over 64 KiB with 413, not a 5xx', async () => {
    const res = await api
      .http()
      .post('/oauth/token')
      .set('Content-Type', FORM)
      .send(`grant_type=client_credentials&scope=${'a'.repeat(70 * 1024)}`);
    expect(res.status).toBe(413);
  });

  it('still works after all that', async () => {
    const res = await api
      .http()
      .post('/oauth/token')
      .set('Authorization', basic(client.clientId, client.secret))
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
  });
});
