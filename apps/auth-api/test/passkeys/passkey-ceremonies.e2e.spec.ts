import { ADMIN_PASSWORD_ENV, adminLogin } from '../mfa/mfa-admin';
import { claimsOf, PASSWORD, registerAndLogin, startAuthApi, type TestAuthApi } from '../harness';
import { SoftAuthenticator } from './soft-authenticator';

const ORIGIN = 'http://auth.test';

/**
 * Passkey ceremonies against @simplewebauthn/server on this suite's database (SQLite, and
 * PostgreSQL in `.ci/run`): what a browser cannot show — challenges that expire on a moved clock,
 * racing copies of one assertion, a cloned authenticator, ceremonies mixed up, lockout. The
 * browser-side suites (apps/console-e2e) do the same ceremonies with Chromium's authenticator.
 */
describe('auth-api passkeys: ceremonies, storage and refusals', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ MFA_MAX_FAILURES: '3', ...ADMIN_PASSWORD_ENV });
  });
  afterAll(() => api.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const signInOptions = async () =>
    (await api.http().post('/auth/passkey/options').expect(200)).body;
  const passwordless = (credential: unknown) =>
    api.http().post('/auth/passkey').send({ credential });

  /** A user with one passkey on a fresh soft authenticator. */
  async function userWithPasskey() {
    const user = await registerAndLogin(api);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = await api
      .http()
      .post('/auth/passkeys/registration/options')
      .set(bearer(user.accessToken))
      .send({ password: PASSWORD })
      .expect(200);
    expect(options.body).toMatchObject({
      rp: { id: 'auth.test' },
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      attestation: 'none',
    });
    const registered = await api
      .http()
      .post('/auth/passkeys')
      .set(bearer(user.accessToken))
      .send({ credential: authenticator.register(options.body), name: 'Soft key' });
    expect(registered.status).toBe(201);
    return { ...user, authenticator, passkeyId: registered.body.id as string };
  }

  async function mfaToken(email: string): Promise<string> {
    const res = await api.http().post('/auth/login').send({ email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body.mfa_methods).toEqual(['passkey']);
    return res.body.mfa_token as string;
  }

  async function secondStepOptions(token: string) {
    return (
      await api
        .http()
        .post('/auth/login/mfa/passkey/options')
        .send({ mfa_token: token })
        .expect(200)
    ).body;
  }

  it('registers, lists without the key, and signs in passwordless with amr hwk + mfa', async () => {
    const user = await userWithPasskey();
    const listed = await api.http().get('/auth/passkeys').set(bearer(user.accessToken)).expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({
        id: user.passkeyId,
        name: 'Soft key',
        device_type: 'singleDevice',
        backed_up: false,
        transports: ['internal'],
        last_used_at: null,
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('public');
    const res = await passwordless(user.authenticator.assert(await signInOptions()));
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).toMatchObject({
      sub: user.id,
      amr: ['hwk', 'mfa'],
      acr: '2',
    });
    const after = await api.http().get('/auth/passkeys').set(bearer(user.accessToken));
    expect(after.body[0].last_used_at).not.toBeNull();
  });

  it('lets exactly one of racing copies of an assertion sign in', async () => {
    const { authenticator } = await userWithPasskey();
    const assertion = authenticator.assert(await signInOptions());
    const answers = await Promise.all(Array.from({ length: 6 }, () => passwordless(assertion)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401, 401]);
  });

  it('refuses a cloned authenticator whose counter does not move forward', async () => {
    const { authenticator } = await userWithPasskey();
    const clone = authenticator.clone();
    expect((await passwordless(authenticator.assert(await signInOptions()))).status).toBe(200);
    const cloned = await passwordless(clone.assert(await signInOptions()));
    expect(cloned.status).toBe(401);
    expect(cloned.body.error).toBe('invalid_passkey');
  });

  it('refuses a challenge after five minutes, and one issued for another ceremony', async () => {
    const user = await userWithPasskey();
    const options = await signInOptions();
    api.clock.advance(301_000);
    expect((await passwordless(user.authenticator.assert(options))).status).toBe(401);
    // Registration options answered as a sign-in: the challenge is not a sign-in challenge.
    const registration = await api
      .http()
      .post('/auth/passkeys/registration/options')
      .set(
        bearer(
          (await api.http().post('/auth/refresh').send({ refresh_token: user.refreshToken })).body
            .access_token,
        ),
      )
      .send({ password: PASSWORD })
      .expect(200);
    const mixed = user.authenticator.assert({
      challenge: registration.body.challenge,
      rpId: 'auth.test',
    });
    expect((await passwordless(mixed)).status).toBe(401);
    // A passwordless challenge answered in the second step of a password sign-in.
    const token = await mfaToken(user.email);
    const wrongCeremony = user.authenticator.assert(await signInOptions());
    const second = await api
      .http()
      .post('/auth/login/mfa/passkey')
      .send({ mfa_token: token, credential: wrongCeremony });
    expect(second.status).toBe(401);
    expect(second.body.error).toBe('invalid_mfa_code');
  });

  it('demands user verification passwordless, presence only as the second step', async () => {
    const user = await userWithPasskey();
    const unverified = user.authenticator.assert(await signInOptions(), { userVerified: false });
    expect((await passwordless(unverified)).status).toBe(401);
    const token = await mfaToken(user.email);
    const presence = user.authenticator.assert(await secondStepOptions(token), {
      userVerified: false,
    });
    const res = await api
      .http()
      .post('/auth/login/mfa/passkey')
      .send({ mfa_token: token, credential: presence });
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'] });
  });

  it('binds a credential to its user: another or no user handle, another user’s step, refused', async () => {
    const alice = await userWithPasskey();
    const bob = await userWithPasskey();
    const bobHandle = Buffer.from(bob.id, 'utf8').toString('base64url');
    const options = await signInOptions();
    expect(
      (await passwordless(alice.authenticator.assert(options, { userHandle: bobHandle }))).status,
    ).toBe(401);
    const noHandle = alice.authenticator.assert(await signInOptions(), { userHandle: null });
    expect((await passwordless(noHandle)).status).toBe(401);
    // Alice's genuine passkey in the second step of Bob's password sign-in.
    const token = await mfaToken(bob.email);
    const res = await api
      .http()
      .post('/auth/login/mfa/passkey')
      .send({
        mfa_token: token,
        credential: alice.authenticator.assert(await secondStepOptions(token)),
      });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_mfa_code');
  });

  it('refuses another origin, another RP ID and a bogus signature', async () => {
    const { authenticator } = await userWithPasskey();
    const phished = authenticator.assert(await signInOptions(), {
      origin: 'http://auth.test.evil',
    });
    expect((await passwordless(phished)).status).toBe(401);
    const options = await signInOptions();
    expect(
      (await passwordless(authenticator.assert({ ...options, rpId: 'evil.test' }))).status,
    ).toBe(401);
    const genuine = authenticator.assert(await signInOptions());
    const signature = Buffer.from(genuine.response.signature, 'base64url');
    signature[signature.length - 3] ^= 0xff;
    const forged = {
      ...genuine,
      response: { ...genuine.response, signature: signature.toString('base64url') },
    };
    const res = await passwordless(forged);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'invalid_passkey',
      message: 'the passkey was not accepted; try again',
    });
  });

  it('refuses a registration without user verification, twice, or from another origin', async () => {
    const user = await registerAndLogin(api);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = async () =>
      (
        await api
          .http()
          .post('/auth/passkeys/registration/options')
          .set(bearer(user.accessToken))
          .send({ password: PASSWORD })
          .expect(200)
      ).body;
    const register = (credential: unknown) =>
      api.http().post('/auth/passkeys').set(bearer(user.accessToken)).send({ credential });
    expect(
      (await register(authenticator.register(await options(), { userVerified: false }))).status,
    ).toBe(400);
    expect(
      (await register(authenticator.register(await options(), { origin: 'http://evil.test' })))
        .status,
    ).toBe(400);
    const good = authenticator.register(await options());
    expect((await register(good)).status).toBe(201);
    const again = await register(good);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_passkey');
    // The registered authenticator is excluded from the next options.
    expect((await options()).excludeCredentials).toEqual([
      {
        id: authenticator.credentialId.toString('base64url'),
        type: 'public-key',
        transports: ['internal'],
      },
    ]);
    const wrongPassword = await api
      .http()
      .post('/auth/passkeys/registration/options')
      .set(bearer(user.accessToken))
      .send({ password: 'not the password' });
    expect(wrongPassword.status).toBe(403);
    expect(wrongPassword.body.error).toBe('invalid_current_password');
  });

  it('counts failed passkey second steps on the second factor’s lockout', async () => {
    const user = await userWithPasskey();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const fresh = await mfaToken(user.email);
      const genuine = user.authenticator.assert(await secondStepOptions(fresh));
      const forged = { ...genuine, response: { ...genuine.response, signature: 'AAAA' } };
      statuses.push(
        (
          await api
            .http()
            .post('/auth/login/mfa/passkey')
            .send({ mfa_token: fresh, credential: forged })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('answers malformed credentials with 400, never a 500', async () => {
    const bodies: unknown[] = [
      {},
      { credential: 'text' },
      { credential: [] },
      { credential: { id: 'a', rawId: 'a', type: 'password', response: {} } },
      { credential: { id: 'a b', rawId: 'a', type: 'public-key', response: {} } },
      {
        credential: {
          id: 'a',
          rawId: 'a',
          type: 'public-key',
          response: { clientDataJSON: 'x'.repeat(5000), authenticatorData: 'a', signature: 'a' },
        },
      },
      { credential: { id: 'a', rawId: 'a', type: 'public-key', response: null } },
    ];
    for (const body of bodies) {
      const res = await api
        .http()
        .post('/auth/passkey')
        .send(body as object);
      expect([res.status, res.body.error]).toEqual([400, 'validation_failed']);
    }
    // Well-formed but meaningless: a refusal, not a crash.
    const junk = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: {
        clientDataJSON: 'e30',
        authenticatorData: 'AAAA',
        signature: 'AAAA',
        userHandle: 'AAAA',
      },
    };
    expect((await passwordless(junk)).status).toBe(401);
  });

  it('removes a passkey with the password; admins see passkeys and reset them', async () => {
    const user = await userWithPasskey();
    const remove = (password: string) =>
      api
        .http()
        .delete(`/auth/passkeys/${user.passkeyId}`)
        .set(bearer(user.accessToken))
        .send({ password });
    expect((await remove('not the password')).status).toBe(403);
    expect((await remove(PASSWORD)).status).toBe(204);
    expect((await remove(PASSWORD)).status).toBe(404);
    expect((await passwordless(user.authenticator.assert(await signInOptions()))).status).toBe(401);
    expect(
      (await api.http().post('/auth/login').send({ email: user.email, password: PASSWORD })).status,
    ).toBe(200);

    const other = await userWithPasskey();
    const admin = await adminLogin(api);
    const factors = await api
      .http()
      .get(`/users/${other.id}/factors`)
      .set(bearer(admin))
      .expect(200);
    expect(factors.body.passkeys).toEqual([expect.objectContaining({ name: 'Soft key' })]);
    await api.http().delete(`/users/${other.id}/factors`).set(bearer(admin)).expect(204);
    expect(
      (await api.http().get(`/users/${other.id}/factors`).set(bearer(admin))).body.passkeys,
    ).toEqual([]);
    expect((await passwordless(other.authenticator.assert(await signInOptions()))).status).toBe(
      401,
    );
    const audit = await api
      .http()
      .get('/audit?type=passkey.registered')
      .set(bearer(admin))
      .expect(200);
    expect(audit.body.items.length).toBeGreaterThan(0);
  });

  it('renames a passkey of its owner only, with a name that is validated', async () => {
    const user = await userWithPasskey();
    const other = await userWithPasskey();
    const rename = (token: string, id: string, body: unknown) =>
      api
        .http()
        .patch(`/auth/passkeys/${id}`)
        .set(bearer(token))
        .send(body as object);
    const renamed = await rename(user.accessToken, user.passkeyId, { name: 'Phone  ✓' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: user.passkeyId, name: 'Phone  ✓' });
    const listed = await api.http().get('/auth/passkeys').set(bearer(user.accessToken));
    expect(listed.body.map((passkey: { name: string }) => passkey.name)).toEqual(['Phone  ✓']);

    // Another user's passkey is "not found", and stays as it was.
    expect((await rename(other.accessToken, user.passkeyId, { name: 'mine now' })).status).toBe(
      404,
    );
    expect((await rename(user.accessToken, crypto.randomUUID(), { name: 'x' })).status).toBe(404);
    expect((await rename(user.accessToken, 'not-a-uuid', { name: 'x' })).status).toBe(400);
    for (const body of [
      {},
      { name: '' },
      { name: 'a'.repeat(65) },
      { name: 'two\nlines' },
      { name: 7 },
    ])
      expect((await rename(user.accessToken, user.passkeyId, body)).status).toBe(400);
    expect(
      (await api.http().patch(`/auth/passkeys/${user.passkeyId}`).send({ name: 'x' })).status,
    ).toBe(401);
    const again = await api.http().get('/auth/passkeys').set(bearer(user.accessToken));
    expect(again.body[0].name).toBe('Phone  ✓');
    const admin = await adminLogin(api);
    const audit = await api
      .http()
      .get('/audit?type=passkey.renamed')
      .set(bearer(admin))
      .expect(200);
    expect(audit.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subjectId: user.id, details: { passkeyId: user.passkeyId } }),
      ]),
    );
  });
});
