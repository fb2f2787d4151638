import { DataSource } from 'typeorm';

import { claimsOf, registerAndLogin, startAuthApi, type TestAuthApi } from './harness';

const SECOND = 1000;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function refresh(api: TestAuthApi, refreshToken: string) {
  return api.http().post('/auth/refresh').send({ refresh_token: refreshToken });
}

async function rotate(
  api: TestAuthApi,
  refreshToken: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await refresh(api, refreshToken).expect(200);
  expect(res.body.refresh_token).not.toBe(refreshToken);
  return { accessToken: res.body.access_token, refreshToken: res.body.refresh_token };
}

function me(api: TestAuthApi, accessToken: string) {
  return api.http().get('/auth/me').auth(accessToken, { type: 'bearer' });
}

/** Flips the lowest bit of one character; in the last character that bit is padding only. */
function flipChar(token: string, index: number): string {
  const replacement = BASE64URL_ALPHABET[BASE64URL_ALPHABET.indexOf(token[index]) ^ 1];
  return `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
}

describe('auth-api: refresh token rotation and reuse detection', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ REFRESH_REUSE_INTERVAL: '10', REFRESH_TOKEN_TTL: '3600' });
  });
  afterAll(() => api.close());

  it('serves 50 racing refreshes of one token with exactly one rotation and the same sid', async () => {
    const user = await registerAndLogin(api);
    const sid = claimsOf(user.accessToken).sid;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => refresh(api, user.refreshToken)),
    );

    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const issued = new Set(results.map((r) => r.body.refresh_token as string));
    expect(issued.size).toBe(1);
    const [current] = issued;
    expect(current).not.toBe(user.refreshToken);
    for (const res of results) expect(claimsOf(res.body.access_token).sid).toBe(sid);

    // The winner's token is the session's current one: it rotates normally, once more.
    const next = await rotate(api, current);
    expect(claimsOf(next.accessToken).sid).toBe(sid);
    await me(api, next.accessToken).expect(200);
  });

  it("answers a replay within REFRESH_REUSE_INTERVAL with the session's current token, without revoking", async () => {
    const user = await registerAndLogin(api);
    const second = await rotate(api, user.refreshToken);
    api.clock.advance(5 * SECOND);

    const replay = await refresh(api, user.refreshToken).expect(200);
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(replay.body.refresh_token).toBe(second.refreshToken);
    expect(claimsOf(replay.body.access_token).sid).toBe(claimsOf(user.accessToken).sid);

    await me(api, user.accessToken).expect(200);
    await rotate(api, second.refreshToken);
  });

  it('gives the current token for a token two generations old replayed within the interval', async () => {
    const user = await registerAndLogin(api);
    const second = await rotate(api, user.refreshToken);
    const third = await rotate(api, second.refreshToken);
    api.clock.advance(5 * SECOND);

    const replay = await refresh(api, user.refreshToken).expect(200);
    expect(replay.body.refresh_token).toBe(third.refreshToken);
    await rotate(api, third.refreshToken);
  });

  it('revokes the whole session when a rotated token is replayed after the interval', async () => {
    const user = await registerAndLogin(api);
    const second = await rotate(api, user.refreshToken);
    api.clock.advance(11 * SECOND);
    await me(api, second.accessToken).expect(200);

    const replay = await refresh(api, user.refreshToken).expect(401);
    expect(replay.body).toEqual({
      statusCode: 401,
      error: 'invalid_grant',
      message: expect.any(String),
    });
    expect((await refresh(api, second.refreshToken).expect(401)).body.error).toBe('invalid_grant');
    const refused = await me(api, second.accessToken).expect(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    await me(api, user.accessToken).expect(401);
  });

  it('leaves other sessions of the user alone when one session is revoked for reuse', async () => {
    const user = await registerAndLogin(api);
    const other = await api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: 'correct horse battery' })
      .expect(200);
    await rotate(api, user.refreshToken);
    api.clock.advance(11 * SECOND);
    await refresh(api, user.refreshToken).expect(401);

    await me(api, other.body.access_token).expect(200);
    await rotate(api, other.body.refresh_token);
  });

  it.each([
    ['the session id', 3],
    ['the generation', 24],
    ['the MAC', 45],
    ['the padding bits of the last character', 69],
  ])(
    'refuses a token with a flipped bit in %s and does not revoke the genuine session',
    async (_part, index) => {
      const user = await registerAndLogin(api);
      expect(user.refreshToken).toHaveLength(70);
      const forged = flipChar(user.refreshToken, index);
      expect(forged).not.toBe(user.refreshToken);

      const res = await refresh(api, forged).expect(401);
      expect(res.body.error).toBe('invalid_grant');
      await me(api, user.accessToken).expect(200);
      await rotate(api, user.refreshToken);
    },
  );

  it("refuses a refresh after the session's absolute lifetime (REFRESH_TOKEN_TTL), rotations notwithstanding", async () => {
    const user = await registerAndLogin(api);
    api.clock.advance(3000 * SECOND);
    const second = await rotate(api, user.refreshToken);
    api.clock.advance(601 * SECOND);

    const res = await refresh(api, second.refreshToken).expect(401);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('never stores a refresh token, nor its MAC, in the database', async () => {
    const user = await registerAndLogin(api);
    const second = await rotate(api, user.refreshToken);
    const dataSource = api.app.get(DataSource);
    const rows: Record<string, unknown>[] = await dataSource.query('SELECT * FROM sessions');
    expect(rows.length).toBeGreaterThan(0);
    const stored = rows.flatMap((row) => Object.values(row).map((value) => String(value)));

    for (const token of [user.refreshToken, second.refreshToken]) {
      const mac = Buffer.from(token, 'base64url').subarray(20);
      expect(mac).toHaveLength(32);
      const forms = [
        token,
        token.slice(27),
        mac.toString('base64url'),
        mac.toString('hex'),
        mac.toString('base64'),
      ];
      for (const value of stored) {
        for (const form of forms) expect(value).not.toContain(form);
      }
    }
  });
});

describe('auth-api: REFRESH_REUSE_INTERVAL=0', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi({ REFRESH_REUSE_INTERVAL: '0' });
  });
  afterAll(() => api.close());

  it('revokes the session on any replay of a rotated token, however soon', async () => {
    const user = await registerAndLogin(api);
    const second = await rotate(api, user.refreshToken);

    const replay = await refresh(api, user.refreshToken).expect(401);
    expect(replay.body.error).toBe('invalid_grant');
    await refresh(api, second.refreshToken).expect(401);
    await me(api, second.accessToken).expect(401);
  });

  it('still rotates normally when nothing is replayed', async () => {
    const user = await registerAndLogin(api);
    const second = await rotate(api, user.refreshToken);
    const third = await rotate(api, second.refreshToken);
    await me(api, third.accessToken).expect(200);
  });
});
