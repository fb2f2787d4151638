import { ADMIN_PASSWORD_ENV, adminLogin } from './mfa-admin';
import { claimsOf, PASSWORD, registerAndLogin, startAuthApi, type TestAuthApi } from '../harness';
import { enrolTotp, oathtoolCode, oraclesUnavailable, pyotpCode } from './totp-oracle';

const unavailable = oraclesUnavailable();
const describeWithOracles = unavailable ? describe.skip : describe;
if (unavailable) console.warn(`TOTP suite skipped: ${unavailable}`);

describeWithOracles('auth-api TOTP (RFC 6238) against oathtool and pyotp', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({
      MFA_MAX_FAILURES: '3',
      MFA_LOCKOUT_SECONDS: '120',
      LOGIN_MAX_FAILURES: '4',
      ...ADMIN_PASSWORD_ENV,
    });
  });
  afterAll(() => api.close());

  const login = (email: string, password = PASSWORD) =>
    api.http().post('/auth/login').send({ email, password });
  const second = (body: Record<string, unknown>) => api.http().post('/auth/login/mfa').send(body);

  /** A user with TOTP set up, and the mfa_token of a fresh password step. */
  async function enrolledUser() {
    const user = await registerAndLogin(api);
    const totp = await enrolTotp(api, user.accessToken);
    return { ...user, ...totp };
  }

  async function challenge(email: string): Promise<string> {
    const res = await login(email);
    expect(res.status).toBe(403);
    return res.body.mfa_token as string;
  }

  it('enrols with a provisioning URI and QR code that independent apps read the same way', async () => {
    const user = await registerAndLogin(api);
    const begun = await api
      .http()
      .post('/auth/mfa/totp')
      .auth(user.accessToken, { type: 'bearer' });
    expect(begun.status).toBe(201);
    expect(begun.headers['cache-control']).toBe('no-store');
    const uri = new URL(begun.body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(begun.body.secret);
    expect(uri.searchParams.get('issuer')).toBe('auth.test');
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);
    expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(begun.body.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // pyotp reads the URI, oathtool the bare secret: both compute the same code.
    const now = api.clock.now();
    expect(pyotpCode(begun.body.otpauth_uri, now)).toBe(oathtoolCode(begun.body.secret, now));

    // Not enabled until confirmed: the password alone still signs in.
    expect((await login(user.email)).status).toBe(200);
    const wrong = await api
      .http()
      .post('/auth/mfa/totp/confirm')
      .auth(user.accessToken, { type: 'bearer' })
      .send({ code: oathtoolCode(begun.body.secret, now + 300_000) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_mfa_code');

    const confirmed = await api
      .http()
      .post('/auth/mfa/totp/confirm')
      .auth(user.accessToken, { type: 'bearer' })
      .send({ code: pyotpCode(begun.body.otpauth_uri, now) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recovery_codes).toHaveLength(10);
    expect(new Set(confirmed.body.recovery_codes).size).toBe(10);
    const summary = await api.http().get('/auth/mfa').auth(user.accessToken, { type: 'bearer' });
    expect(summary.body).toMatchObject({
      totp: { enabled: true, confirmed_at: expect.any(String) },
      recovery_codes: { remaining: 10 },
    });
    // A second enrolment cannot silently replace the confirmed authenticator.
    const again = await api
      .http()
      .post('/auth/mfa/totp')
      .auth(user.accessToken, { type: 'bearer' });
    expect(again.status).toBe(409);
  });

  it('makes login two steps: a challenge and no token, then tokens that say pwd+otp+mfa', async () => {
    const user = await enrolledUser();
    const first = await login(user.email);
    expect(first.status).toBe(403);
    expect(first.body).toEqual({
      statusCode: 403,
      error: 'mfa_required',
      message: expect.any(String),
      mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      mfa_methods: ['totp', 'recovery_code'],
      expires_in: 300,
    });
    expect(first.body.access_token).toBeUndefined();
    expect(first.body.refresh_token).toBeUndefined();

    const done = await second({
      mfa_token: first.body.mfa_token,
      code: oathtoolCode(user.secret, api.clock.now()),
    });
    expect(done.status).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    const claims = claimsOf(done.body.access_token);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe('2');
    expect(claims.auth_time).toBe(Math.floor(api.clock.now() / 1000));

    // A refresh keeps how the session was signed into.
    api.clock.advance(60_000);
    const refreshed = await api
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: done.body.refresh_token })
      .expect(200);
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: '2',
    });
    // A password-only sign-in elsewhere says so.
    const plain = await registerAndLogin(api);
    expect(claimsOf(plain.accessToken)).toMatchObject({ amr: ['pwd'], acr: '1' });
  });

  it('accepts a code once: the same code, or an older step of the window, is refused afterwards', async () => {
    const user = await enrolledUser();
    const code = oathtoolCode(user.secret, api.clock.now());
    expect((await second({ mfa_token: await challenge(user.email), code })).status).toBe(200);
    const replay = await second({ mfa_token: await challenge(user.email), code });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_mfa_code');
    const older = oathtoolCode(user.secret, api.clock.now() - 30_000);
    expect((await second({ mfa_token: await challenge(user.email), code: older })).status).toBe(
      401,
    );
    // Right after, the next step's code works (the counter did not lock on two failures).
    api.clock.advance(30_000);
    const next = oathtoolCode(user.secret, api.clock.now());
    expect((await second({ mfa_token: await challenge(user.email), code: next })).status).toBe(200);
  });

  it('tolerates one step of clock skew either way, and no more', async () => {
    const user = await enrolledUser();
    // Clear of the step the confirmation spent.
    api.clock.advance(60_000);
    const now = api.clock.now();
    const at = (offset: number) => oathtoolCode(user.secret, now + offset);
    // Far ones first: each failure spends a second-factor attempt, and the limit is 3.
    expect(
      (await second({ mfa_token: await challenge(user.email), code: at(90_000) })).status,
    ).toBe(401);
    expect(
      (await second({ mfa_token: await challenge(user.email), code: at(-60_000) })).status,
    ).toBe(401);
    expect(
      (await second({ mfa_token: await challenge(user.email), code: at(-30_000) })).status,
    ).toBe(200);
    // Used steps only move forward: +30 s is still ahead of the step just spent.
    expect(
      (await second({ mfa_token: await challenge(user.email), code: at(30_000) })).status,
    ).toBe(200);
  });

  it('takes a recovery code once, in any case and with or without its dash', async () => {
    const user = await enrolledUser();
    const [first, secondCode] = user.recoveryCodes;
    const ok = await second({
      mfa_token: await challenge(user.email),
      recovery_code: first.toUpperCase().replace('-', ''),
    });
    expect(ok.status).toBe(200);
    expect(claimsOf(ok.body.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);
    const reused = await second({ mfa_token: await challenge(user.email), recovery_code: first });
    expect(reused.status).toBe(401);
    expect(
      (await second({ mfa_token: await challenge(user.email), recovery_code: secondCode })).status,
    ).toBe(200);
    const summary = await api
      .http()
      .get('/auth/mfa')
      .auth(ok.body.access_token, { type: 'bearer' });
    expect(summary.body.recovery_codes.remaining).toBe(8);

    // New codes (with the password) replace every earlier one.
    const token = ok.body.access_token as string;
    const refused = await api
      .http()
      .post('/auth/mfa/recovery-codes')
      .auth(token, { type: 'bearer' })
      .send({ password: 'not the password' });
    expect(refused.status).toBe(403);
    const fresh = await api
      .http()
      .post('/auth/mfa/recovery-codes')
      .auth(token, { type: 'bearer' })
      .send({ password: PASSWORD });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recovery_codes).toHaveLength(10);
    const old = user.recoveryCodes[2];
    expect(
      (await second({ mfa_token: await challenge(user.email), recovery_code: old })).status,
    ).toBe(401);
    const renewed = fresh.body.recovery_codes[0] as string;
    expect(
      (await second({ mfa_token: await challenge(user.email), recovery_code: renewed })).status,
    ).toBe(200);
  });

  it('refuses an unknown, expired, spent or superseded challenge', async () => {
    const user = await enrolledUser();
    const code = () => oathtoolCode(user.secret, api.clock.now());
    const unknown = await second({ mfa_token: 'A'.repeat(43), code: code() });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_mfa_token');

    const expiring = await challenge(user.email);
    api.clock.advance(301_000);
    expect((await second({ mfa_token: expiring, code: code() })).body.error).toBe(
      'invalid_mfa_token',
    );

    const spent = await challenge(user.email);
    expect((await second({ mfa_token: spent, code: code() })).status).toBe(200);
    api.clock.advance(30_000);
    expect((await second({ mfa_token: spent, code: code() })).body.error).toBe('invalid_mfa_token');

    // A newer password step retires the older challenge.
    const older = await challenge(user.email);
    await challenge(user.email);
    expect((await second({ mfa_token: older, code: code() })).body.error).toBe('invalid_mfa_token');
  });

  it('lets exactly one of many racing second steps with one good code through', async () => {
    const user = await enrolledUser();
    const token = await challenge(user.email);
    const code = oathtoolCode(user.secret, api.clock.now());
    const results = await Promise.all(
      Array.from({ length: 10 }, () => second({ mfa_token: token, code })),
    );
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    // The losers are refused: the challenge spent (5 presentations at most), the code used, or,
    // where requests truly run side by side (PostgreSQL), the second factor locked for a moment
    // by the failures in flight. Never a token.
    const refusals = ['401 invalid_mfa_token', '401 invalid_mfa_code', '429 second_factor_locked'];
    for (const res of results.filter((r) => r.status !== 200)) {
      expect(refusals).toContain(`${res.status} ${res.body.error}`);
      expect(res.body.access_token).toBeUndefined();
    }
    // The winner's success cleared the count: the next sign-in is not locked out.
    api.clock.advance(30_000);
    const next = await challenge(user.email);
    const again = await second({
      mfa_token: next,
      code: oathtoolCode(user.secret, api.clock.now()),
    });
    expect(again.status).toBe(200);
  });

  it('locks the second factor on its own: wrong codes never lock the password, nor the reverse', async () => {
    const user = await enrolledUser();
    for (let i = 0; i < 3; i += 1) {
      const res = await second({ mfa_token: await challenge(user.email), code: '000000' });
      expect(res.status).toBe(401);
    }
    // The password still passes (its own counter), but the second factor is locked, right code or not.
    const token = await challenge(user.email);
    const locked = await second({
      mfa_token: token,
      code: oathtoolCode(user.secret, api.clock.now()),
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('second_factor_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.access_token).toBeUndefined();

    api.clock.advance(121_000);
    const unlocked = await second({
      mfa_token: await challenge(user.email),
      code: oathtoolCode(user.secret, api.clock.now()),
    });
    expect(unlocked.status).toBe(200);

    // Wrong passwords lock the password only; after its lock, the second factor is still unlocked.
    const other = await enrolledUser();
    for (let i = 0; i < 4; i += 1)
      expect((await login(other.email, 'wrong password')).status).toBe(401);
    expect((await login(other.email)).body.error).toBe('account_locked');
  });

  it('removes the authenticator only with the password; login is one step again', async () => {
    const user = await enrolledUser();
    const done = await second({
      mfa_token: await challenge(user.email),
      code: oathtoolCode(user.secret, api.clock.now()),
    });
    const token = done.body.access_token as string;
    const wrong = await api
      .http()
      .delete('/auth/mfa/totp')
      .auth(token, { type: 'bearer' })
      .send({ password: 'wrong password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toBe('invalid_current_password');
    await api
      .http()
      .delete('/auth/mfa/totp')
      .auth(token, { type: 'bearer' })
      .send({ password: PASSWORD })
      .expect(204);
    const plain = await login(user.email);
    expect(plain.status).toBe(200);
    expect(claimsOf(plain.body.access_token).amr).toEqual(['pwd']);
    // Recovery codes went with it.
    expect((await api.http().get('/auth/mfa').auth(token, { type: 'bearer' })).body).toMatchObject({
      totp: { enabled: false },
      recovery_codes: { remaining: 0 },
    });
  });

  it("lets an admin see and reset a user's factors, audited", async () => {
    const user = await enrolledUser();
    const admin = await adminLogin(api);
    const seen = await api.http().get(`/users/${user.id}/factors`).auth(admin, { type: 'bearer' });
    expect(seen.status).toBe(200);
    expect(seen.body.totp.enabled).toBe(true);
    const asUser = await api
      .http()
      .delete(`/users/${user.id}/factors`)
      .auth(user.accessToken, { type: 'bearer' });
    expect(asUser.status).toBe(403);
    await api
      .http()
      .delete(`/users/${user.id}/factors`)
      .auth(admin, { type: 'bearer' })
      .expect(204);
    expect((await login(user.email)).status).toBe(200);
    const audit = await api
      .http()
      .get(`/audit?type=mfa.factors_reset`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(JSON.stringify(audit.body)).toContain(user.id);
    expect(JSON.stringify(audit.body)).not.toContain(user.secret);
  });

  it('answers malformed second steps and enrolments with 400, never 5xx', async () => {
    const user = await enrolledUser();
    const token = await challenge(user.email);
    const bodies: unknown[] = [
      {},
      { mfa_token: token },
      { mfa_token: token, code: '12345' },
      { mfa_token: token, code: '12345a' },
      { mfa_token: token, code: 123456 },
      { mfa_token: token, code: ['123456'] },
      { mfa_token: ['x'], code: '123456' },
      { mfa_token: token, code: '123456', recovery_code: 'abcde-fghjk' },
      { mfa_token: 'x'.repeat(10_000), code: '123456' },
      { mfa_token: token, recovery_code: 'y'.repeat(100) },
    ];
    for (const body of bodies) {
      const res = await second(body as Record<string, unknown>);
      expect([400, 401]).toContain(res.status);
      expect(res.body.access_token).toBeUndefined();
    }
    for (const body of [{}, { code: 'abcdef' }, { code: 1 }]) {
      const res = await api
        .http()
        .post('/auth/mfa/totp/confirm')
        .auth(user.accessToken, { type: 'bearer' })
        .send(body);
      expect(res.status).toBe(400);
    }
    const noAuth = await api.http().post('/auth/mfa/totp');
    expect(noAuth.status).toBe(401);
  });
});
