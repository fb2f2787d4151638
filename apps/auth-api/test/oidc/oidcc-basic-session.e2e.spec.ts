import { setTimeout as sleep } from 'node:timers/promises';

import {
  BrowserlessAgent,
  fieldNamed,
  isConsentPage,
  isLoginPage,
  type Page,
} from './browserless-agent';
import { verifyIdToken } from './id-token';
import {
  authorizationRequest,
  callbackParams,
  createOidcClient,
  createUser,
  expectErrorPage,
  expectErrorRedirect,
  type OidcClient,
  type Provider,
  redeemCode,
  startProvider,
  type User,
} from './oidc-harness';

/**
 * The OpenID Foundation Basic OP modules about the browser session (prompt, max_age, hints)
 * and about the redirect URI of the request, replicated over plain HTTP.
 */
describe('OpenID Foundation Basic OP modules (session, prompt, redirect URI)', () => {
  let provider: Provider;
  let client: OidcClient;
  let user: User;
  let agent: BrowserlessAgent;

  /** Authorizes with `agent`'s session (signing in if asked) and returns the ID token's claims. */
  async function idTokenClaims(params: Record<string, string | undefined> = {}) {
    const request = await authorizationRequest(provider.issuer, client, params);
    const { code } = callbackParams(await agent.authorize(request.url, user));
    const res = await redeemCode(provider, client, code, request.pkce.verifier);
    const { id_token: idToken } = (await res.json()) as { id_token: string };
    return {
      idToken,
      claims: (await verifyIdToken(provider.issuer, idToken, client.clientId)).payload,
    };
  }

  const open = async (params: Record<string, string | undefined>, who = agent) => {
    const request = await authorizationRequest(provider.issuer, client, params);
    return { request, landing: await who.navigate(request.url) };
  };

  beforeAll(async () => {
    provider = await startProvider();
    client = await createOidcClient(provider.api);
    user = await createUser(provider.api);
    agent = new BrowserlessAgent(provider.issuer);
    await agent.authorize((await authorizationRequest(provider.issuer, client)).url, user);
  });
  afterAll(() => provider?.api.close());

  it('oidcc-prompt-none-not-logged-in: login_required, redirected with state and iss', async () => {
    const { request, landing } = await open(
      { prompt: 'none' },
      new BrowserlessAgent(provider.issuer),
    );
    expectErrorRedirect(landing, provider, request, 'login_required');
  });

  it('oidcc-prompt-none-logged-in: a code at once, no page shown', async () => {
    const { request, landing } = await open({ prompt: 'none' });
    expect(callbackParams(landing.redirect as URL)).toMatchObject({
      code: expect.any(String),
      state: request.state,
    });
  });

  it('prompt=none without consent for this client: consent_required', async () => {
    const other = await createOidcClient(provider.api, { name: 'not consented yet' });
    const request = await authorizationRequest(provider.issuer, other, { prompt: 'none' });
    expectErrorRedirect(await agent.navigate(request.url), provider, request, 'consent_required');
  });

  it('prompt=consent: the consent page again, although this client was consented to', async () => {
    const { landing } = await open({ prompt: 'consent' });
    expect(landing.page && isConsentPage(landing.page)).toBe(true);
  });

  it('oidcc-prompt-login: the login page again despite the session, and a new auth_time', async () => {
    const before = (await idTokenClaims()).claims;
    provider.api.clock.advance(2000);
    await sleep(1100);
    const { landing } = await open({ prompt: 'login' });
    expect(landing.page && isLoginPage(landing.page)).toBe(true);
    const after = (await idTokenClaims({ prompt: 'login' })).claims;
    expect(after.auth_time as number).toBeGreaterThan(before.auth_time as number);
  });

  it('oidcc-max-age-1: re-authentication once the session is older than max_age, auth_time updated', async () => {
    const before = (await idTokenClaims()).claims;
    provider.api.clock.advance(2000);
    await sleep(1100);
    const { landing } = await open({ max_age: '1' });
    expect(landing.page && isLoginPage(landing.page)).toBe(true);
    const after = (await idTokenClaims({ max_age: '1' })).claims;
    expect(after.auth_time as number).toBeGreaterThan(before.auth_time as number);
  });

  it('oidcc-max-age-10000: no re-authentication, auth_time unchanged and present', async () => {
    const before = (await idTokenClaims()).claims;
    const { landing } = await open({ max_age: '10000' });
    expect(landing.redirect).toBeDefined();
    const after = (await idTokenClaims({ max_age: '10000' })).claims;
    expect(after.auth_time).toBe(before.auth_time);
  });

  it('oidcc-id-token-hint: prompt=none with the ID token of the signed-in user gives a code', async () => {
    const { idToken } = await idTokenClaims();
    const { landing } = await open({ prompt: 'none', id_token_hint: idToken });
    expect(callbackParams(landing.redirect as URL).code).toEqual(expect.any(String));
  });

  it('oidcc-login-hint: the hinted email prefills the login form', async () => {
    const { landing } = await open(
      { login_hint: user.email },
      new BrowserlessAgent(provider.issuer),
    );
    const page = landing.page as Page;
    expect(isLoginPage(page)).toBe(true);
    const input = page.document.querySelector(`[name="${fieldNamed(page, 'Email')}"]`);
    expect(input?.getAttribute('value')).toBe(user.email);
  });

  it('oidcc-response-type-missing: an error redirected to the client with iss', async () => {
    const { request, landing } = await open({ response_type: undefined });
    expectErrorRedirect(landing, provider, request, [
      'invalid_request',
      'unsupported_response_type',
    ]);
  });

  it('only response_type=code: token and id_token are unsupported_response_type', async () => {
    for (const responseType of ['token', 'id_token', 'code id_token']) {
      const { request, landing } = await open({ response_type: responseType });
      expectErrorRedirect(landing, provider, request, 'unsupported_response_type');
    }
  });

  it('oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri gets an error page', async () => {
    expectErrorPage((await open({ redirect_uri: 'https://rp.example/not-registered' })).landing);
  });

  it('oidcc-ensure-redirect-uri-in-authorization-request: none given, an error page', async () => {
    expectErrorPage((await open({ redirect_uri: undefined })).landing);
  });

  describe('redirect URIs with a query', () => {
    let withQuery: OidcClient;
    const registered = 'https://rp.example/cb?foo=bar';
    const openWith = async (redirectUri: string) =>
      agent.navigate(
        (await authorizationRequest(provider.issuer, withQuery, { redirect_uri: redirectUri })).url,
      );

    beforeAll(async () => {
      withQuery = await createOidcClient(provider.api, {
        redirect_uris: [registered],
        first_party: true,
      });
    });

    it('oidcc-redirect-uri-query-OK: the registered query is kept, code added', async () => {
      const landing = await openWith(registered);
      expect(landing.redirect?.searchParams.get('foo')).toBe('bar');
      expect(landing.redirect?.searchParams.get('code')).toEqual(expect.any(String));
    });

    it('oidcc-redirect-uri-query-mismatch: another value, an error page', async () => {
      expectErrorPage(await openWith('https://rp.example/cb?foo=baz'));
    });

    it('oidcc-redirect-uri-query-added: an added parameter, an error page', async () => {
      expectErrorPage(await openWith('https://rp.example/cb?foo=bar&bar=foo'));
    });
  });
  it('consent is remembered per user and client, and revocable from the account API', async () => {
    const login = await provider.api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    const bearer = { Authorization: `Bearer ${login.body.access_token}` };
    const listed = await provider.api.http().get('/auth/consents').set(bearer).expect(200);
    expect(listed.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ client_id: client.clientId })]),
    );
    await provider.api.http().delete(`/auth/consents/${client.clientId}`).set(bearer).expect(204);
    const { request, landing } = await open({ prompt: 'none' });
    expectErrorRedirect(landing, provider, request, 'consent_required');
  });
});
