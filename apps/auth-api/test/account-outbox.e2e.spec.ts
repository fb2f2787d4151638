import { COMMANDS } from '../src/cli/cli.commands';
import {
  freePort,
  PASSWORD,
  registerAndLogin,
  startAuthApi,
  type TestAuthApi,
  uniqueEmail,
} from './harness';
import { secretsOf, settled } from './mail-harness';

const ADMIN = { ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'admin-password-1' };

async function login(api: TestAuthApi, email: string, password: string) {
  return api.http().post('/auth/login').send({ email, password });
}

describe('auth-api: the dev outbox (no SMTP_URL)', () => {
  let api: TestAuthApi;
  let admin: string;

  beforeAll(async () => {
    api = await startAuthApi(ADMIN);
    admin = (await login(api, ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD)).body.access_token;
  });
  afterAll(() => api.close());

  it('keeps the mail for admins: GET /mail/outbox, newest first, with the working link', async () => {
    const user = await registerAndLogin(api, uniqueEmail('outbox'));
    await settled(api);
    const res = await api
      .http()
      .get('/mail/outbox')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(res.body.mode).toBe('outbox');
    const [mail] = res.body.items;
    expect(mail).toMatchObject({
      to: user.email,
      subject: 'Confirm your email address',
      status: 'outbox',
      error: null,
    });
    const { token } = secretsOf(mail.text);
    await api.http().post('/auth/verify-email').send({ token }).expect(204);
    const view = await api
      .http()
      .get(`/users/${user.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(view.body.emailVerified).toBe(true);
  });

  it('is for admins only', async () => {
    const user = await registerAndLogin(api, uniqueEmail('nosy'));
    await api.http().get('/mail/outbox').expect(401);
    await api
      .http()
      .get('/mail/outbox')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .expect(403);
  });

  it('`mail:list` prints the outbox with each message body', async () => {
    const user = await registerAndLogin(api, uniqueEmail('cli'));
    await settled(api);
    const lines: string[] = [];
    await COMMANDS['mail:list'].run({
      app: api.app,
      args: [],
      options: { limit: '5' },
      print: (line) => lines.push(line),
    });
    expect(lines.some((l) => l.includes(user.email) && l.includes('Confirm your email'))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes('http://auth.test/account/verify-email?token='))).toBe(
      true,
    );
    expect(lines[lines.length - 1]).toMatch(/^\d+ of \d+ message\(s\) \(outbox\)$/);
  });

  it('the console has an Outbox page for admins', async () => {
    const main = await api.http().get('/console/assets/main.js').expect(200);
    expect(main.text).toContain("'/admin/outbox'");
    const view = await api.http().get('/console/assets/view-outbox.js').expect(200);
    expect(view.text).toContain("'/mail/outbox");
  });

  it('admin: marks an address verified, or mails a new link (audited)', async () => {
    const user = await registerAndLogin(api, uniqueEmail('vouched'));
    const as = (req: ReturnType<ReturnType<TestAuthApi['http']>['post']>) =>
      req.set('Authorization', `Bearer ${admin}`);
    await as(api.http().post(`/users/${user.id}/verification-mail`)).expect(202, { sent: true });
    await as(api.http().post(`/users/${user.id}/email-verified`)).expect(204);
    await as(api.http().post(`/users/${user.id}/verification-mail`)).expect(409);
    await as(api.http().post(`/users/00000000-0000-4000-8000-000000000000/email-verified`)).expect(
      404,
    );
    await api
      .http()
      .post(`/users/${user.id}/email-verified`)
      .set('Authorization', `Bearer ${user.accessToken}`)
      .expect(403);
    const audit = await api
      .http()
      .get(`/audit?subject=${user.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    const types = audit.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['email.verified', 'email_verification.sent']));
    const sentByAdmin = audit.body.items.find(
      (e: { type: string; actorId: string }) => e.type === 'email_verification.sent' && e.actorId,
    );
    expect(sentByAdmin).toBeDefined();
    expect(JSON.stringify(audit.body)).not.toMatch(/token=|code: \d{6}/);
  });
});

describe('auth-api: REQUIRE_VERIFIED_EMAIL=true', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ REQUIRE_VERIFIED_EMAIL: 'true' });
  });
  afterAll(() => api.close());

  it('refuses the right password with 403 email_not_verified until verified; a wrong one stays 401', async () => {
    const email = uniqueEmail('strict');
    await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    const wrong = await login(api, email, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_credentials');
    const refused = await login(api, email, PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      statusCode: 403,
      error: 'email_not_verified',
      message: 'confirm your email address before signing in',
    });
    expect(refused.body.access_token).toBeUndefined();

    await settled(api);
    const lines: string[] = [];
    await COMMANDS['mail:list'].run({
      app: api.app,
      args: [],
      options: {},
      print: (l) => lines.push(l),
    });
    const { token } = secretsOf(lines.join('\n'));
    await api.http().post('/auth/verify-email').send({ token }).expect(204);
    await login(api, email, PASSWORD).then((res) => expect(res.status).toBe(200));
  });
});

describe('auth-api: an SMTP server that is down', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, ...ADMIN });
  });
  afterAll(() => api.close());

  it('answers as usual, retries, then records the failure without the message body', async () => {
    const user = await registerAndLogin(api, uniqueEmail('undelivered'));
    await settled(api);
    const admin = (await login(api, ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD)).body.access_token;
    const res = await api
      .http()
      .get('/mail/outbox')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(res.body.mode).toBe('smtp');
    expect(res.body.items[0]).toMatchObject({
      to: user.email,
      status: 'failed',
      text: null,
      // nodemailer's code for a refused connection, no message text (it could quote the body).
      error: expect.stringMatching(/^E[A-Z]+$/),
    });
  });
});
