import { createHarness, type ResourceApiHarness } from './resource-api.harness';

/** The JWKS client waits this long after a failed fetch before trying again. */
const FAILED_FETCH_BACKOFF_MS = 1000;

describe('resource-api when the issuer is unavailable', () => {
  let h: ResourceApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps verifying with the cached keys after the JWKS server stops', async () => {
    h = await createHarness();
    await h
      .http()
      .get('/me')
      .auth(h.tokens.sign({ sub: 'first' }), { type: 'bearer' })
      .expect(200);
    expect(h.jwks.requests).toBe(1);
    await h.jwks.stop();
    // A fresh token (new jti), so the verified-token cache cannot answer for it.
    const res = await h
      .http()
      .get('/me')
      .auth(h.tokens.sign({ sub: 'second' }), { type: 'bearer' })
      .expect(200);
    expect(res.body.sub).toBe('second');
  });

  it('boots while the issuer is down and verifies once it is up', async () => {
    h = await createHarness({ jwksRunning: false });
    await h.http().get('/health').expect(200);
    const token = h.tokens.sign({ sub: 'early' });
    const refused = await h.http().get('/me').auth(token, { type: 'bearer' }).expect(401);
    expect(refused.body.error).toBe('invalid_token');

    await h.jwks.start();
    await new Promise((resolve) => setTimeout(resolve, FAILED_FETCH_BACKOFF_MS + 100));
    const res = await h.http().get('/me').auth(token, { type: 'bearer' });
    expect(res.status).toBe(200);
    expect(res.body.sub).toBe('early');
    expect(h.jwks.requests).toBe(1);
  });
});
