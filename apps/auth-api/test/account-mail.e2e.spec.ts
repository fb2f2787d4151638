import {
  claimsOf,
  PASSWORD,
  registerAndLogin,
  startAuthApi,
  type TestAuthApi,
  uniqueEmail,
} from './harness';
import { secretsOf, settled, TestSmtpServer } from './mail-harness';

const NEW_PASSWORD = 'a brand new passphrase';

describe('auth-api: email verification and password reset over a real SMTP server', () => {
  let api: TestAuthApi;
  const smtp = new TestSmtpServer();

  beforeAll(async () => {
    const url = await smtp.start();
    api = await startAuthApi({ SMTP_URL: url, MAIL_FROM: 'Accounts <accounts@auth.test>' });
  });
  afterAll(async () => {
    await api.close();
    await smtp.stop();
  });

  async function lastMail(to: string) {
    await settled(api);
    const mails = smtp.to(to);
    expect(mails.length).toBeGreaterThan(0);
    return mails[mails.length - 1];
  }

  const me = async (token: string) =>
    (await api.http().get('/auth/me').set('Authorization', `Bearer ${token}`).expect(200)).body;

  it('mails a verification link built from AUTH_ISSUER, whatever the Host header says', async () => {
    const email = uniqueEmail('verify');
    await api
      .http()
      .post('/auth/register')
      .set('Host', 'attacker.example')
      .set('X-Forwarded-Host', 'attacker.example')
      .send({ email, password: PASSWORD })
      .expect(201);
    const mail = await lastMail(email);
    expect(mail.from?.value).toEqual([{ name: 'Accounts', address: 'accounts@auth.test' }]);
    expect(mail.to && 'value' in mail.to && mail.to.value[0].address).toBe(email);
    expect(mail.subject).toBe('Confirm your email address');
    const { link } = secretsOf(mail.text);
    expect(link.startsWith('http://auth.test/account/verify-email?token=')).toBe(true);
    expect(mail.text).not.toContain('attacker.example');
  });

  it('a GET of the link only shows a button; its POST verifies once; the claim and /auth/me follow', async () => {
    const user = await registerAndLogin(api, uniqueEmail('click'));
    expect(claimsOf(user.accessToken).email_verified).toBe(false);
    const { token } = secretsOf((await lastMail(user.email)).text);
    const path = `/account/verify-email?token=${token}`;

    for (let i = 0; i < 3; i += 1) {
      const page = await api.http().get(path).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toContain("form-action 'self'");
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('<form method="post" action="/account/verify-email"');
      expect(page.text).not.toContain('<script');
    }
    expect((await me(user.accessToken)).emailVerified).toBe(false);

    const done = await api.http().post('/account/verify-email').type('form').send({ token });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Email confirmed');
    expect((await me(user.accessToken)).emailVerified).toBe(true);
    const again = await api.http().post('/account/verify-email').type('form').send({ token });
    expect(again.status).toBe(400);
    await api.http().post('/auth/verify-email').send({ token }).expect(400, {
      statusCode: 400,
      error: 'invalid_token',
      message: 'the link or code is invalid, expired or used up',
    });

    const login = await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD });
    expect(claimsOf(login.body.access_token).email_verified).toBe(true);
  });

  it('a resend makes the earlier link useless; the new code works with the email', async () => {
    const user = await registerAndLogin(api, uniqueEmail('code'));
    const first = secretsOf((await lastMail(user.email)).text);
    await api
      .http()
      .post('/auth/verify-email/resend')
      .send({ email: user.email })
      .expect(202, { message: 'if an account uses this address, a message is on its way' });
    const second = secretsOf((await lastMail(user.email)).text);
    expect(second.token).not.toBe(first.token);
    await api.http().post('/auth/verify-email').send({ token: first.token }).expect(400);
    await api
      .http()
      .post('/auth/verify-email')
      .send({ email: user.email, code: second.code })
      .expect(204);
    expect((await me(user.accessToken)).emailVerified).toBe(true);
  });

  it('reset: nothing changes until the link is used; then every session ends and nobody is signed in', async () => {
    const user = await registerAndLogin(api, uniqueEmail('reset'));
    await api
      .http()
      .post('/auth/password-reset')
      .set('Host', 'attacker.example')
      .send({ email: user.email })
      .expect(202);
    const mail = await lastMail(user.email);
    expect(mail.subject).toBe('Reset your password');
    const { link, token } = secretsOf(mail.text);
    expect(link.startsWith('http://auth.test/account/reset-password?token=')).toBe(true);

    // The request alone changes nothing: the old password and the old session still work.
    await api.http().get(`/account/reset-password?token=${token}`).expect(200);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);

    const done = await api
      .http()
      .post('/auth/password-reset/confirm')
      .send({ token, password: NEW_PASSWORD });
    expect(done.status).toBe(204);
    expect(done.body).toEqual({});
    const refused = await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: user.refreshToken })
      .expect(401);
    expect(refused.body.error).toBe('invalid_grant');
    await api.http().get('/auth/me').set('Authorization', `Bearer ${user.accessToken}`).expect(401);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(401);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: NEW_PASSWORD })
      .expect(200);

    const reused = await api
      .http()
      .post('/auth/password-reset/confirm')
      .send({ token, password: 'yet another passphrase' });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_token');
  });

  it('an expired link or code is refused (30 minutes)', async () => {
    const user = await registerAndLogin(api, uniqueEmail('expired'));
    await api.http().post('/auth/password-reset').send({ email: user.email }).expect(202);
    const { token, code } = secretsOf((await lastMail(user.email)).text);
    api.clock.advance(31 * 60 * 1000);
    await api
      .http()
      .post('/auth/password-reset/confirm')
      .send({ token, password: NEW_PASSWORD })
      .expect(400);
    await api
      .http()
      .post('/auth/password-reset/confirm')
      .send({ email: user.email, code, password: NEW_PASSWORD })
      .expect(400);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
  });

  it('five wrong codes use the token up: the right code on the 6th attempt is refused', async () => {
    const user = await registerAndLogin(api, uniqueEmail('attempts'));
    await api.http().post('/auth/password-reset').send({ email: user.email }).expect(202);
    const { token, code } = secretsOf((await lastMail(user.email)).text);
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i += 1) {
      await api
        .http()
        .post('/auth/password-reset/confirm')
        .send({ email: user.email, code: wrong, password: NEW_PASSWORD })
        .expect(400);
    }
    await api
      .http()
      .post('/auth/password-reset/confirm')
      .send({ email: user.email, code, password: NEW_PASSWORD })
      .expect(400);
    await api
      .http()
      .post('/auth/password-reset/confirm')
      .send({ token, password: NEW_PASSWORD })
      .expect(400);
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
  });

  it('the reset page: GET shows the form, a short password is refused, a good one is set', async () => {
    const user = await registerAndLogin(api, uniqueEmail('page'));
    await api.http().post('/auth/password-reset').send({ email: user.email }).expect(202);
    const { token } = secretsOf((await lastMail(user.email)).text);
    const form = await api.http().get(`/account/reset-password?token=${token}`).expect(200);
    expect(form.text).toContain('name="password"');
    const short = await api
      .http()
      .post('/account/reset-password')
      .type('form')
      .send({ token, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('8 to 128 characters');
    const done = await api
      .http()
      .post('/account/reset-password')
      .type('form')
      .send({ token, password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(done.headers['set-cookie']).toBeUndefined();
    await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: NEW_PASSWORD })
      .expect(200);
  });
});

describe('auth-api: hostile input on the account endpoints', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi();
  });
  afterAll(() => api.close());

  it.each([
    ['/auth/verify-email', {}],
    ['/auth/verify-email', { token: 'x'.repeat(300) }],
    ['/auth/verify-email', { token: 42 }],
    ['/auth/verify-email', { token: ['a', 'b'] }],
    ['/auth/verify-email', { email: 'a@b.c', code: '12345' }],
    ['/auth/verify-email', { email: { $ne: 1 }, code: '123456' }],
    ['/auth/verify-email/resend', { email: 'not an email' }],
    ['/auth/verify-email/resend', { email: ['a@b.c'] }],
    ['/auth/password-reset', { email: `${'a'.repeat(400)}@example.com` }],
    ['/auth/password-reset', { email: null }],
    ['/auth/password-reset/confirm', { token: '\u0000', password: 'long enough password' }],
    ['/auth/password-reset/confirm', { email: 'a@b.c', code: '000000', password: 'short' }],
    ['/auth/password-reset/confirm', { token: 'A'.repeat(43), password: { toString: 1 } }],
  ])('%s %j → 4xx', async (path, body) => {
    const res = await api.http().post(path).send(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it.each([
    '/account/verify-email?token=',
    '/account/verify-email?token[]=a&token[]=b',
    '/account/verify-email?token=%00%ff',
    `/account/reset-password?token=${'A'.repeat(43)}%3Cscript%3E`,
  ])('GET %s → 400 page, nothing reflected', async (path) => {
    const res = await api.http().get(path);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<script');
  });

  it('POST pages with odd bodies → 400 page', async () => {
    for (const path of ['/account/verify-email', '/account/reset-password']) {
      const json = await api.http().post(path).send([1, 2]);
      expect(json.status).toBe(400);
      const form = await api.http().post(path).type('form').send('token=a&token=b&password=x');
      expect(form.status).toBe(400);
    }
  });
});
