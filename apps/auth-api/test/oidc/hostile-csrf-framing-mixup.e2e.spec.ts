import * as oauth from 'oauth4webapi';

import {
  BrowserlessAgent,
  formOf,
  isConsentPage,
  isLoginPage,
  type Page,
} from './browserless-agent';
import {
  authorizationRequest,
  callbackParams,
  createOidcClient,
  createUser,
  expectErrorRedirect,
  type OidcClient,
  type Provider,
  startProvider,
  type User,
} from './oidc-harness';

const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

/**
 * Attacks on the hosted pages themselves: cross-site form posts (consent and login CSRF),
 * framing (clickjacking), and authorization-server mix-up (RFC 9207 `iss`).
 */
describe('hostile: consent CSRF, clickjacking, mix-up', () => {
  let provider: Provider;
  let client: OidcClient;
  let user: User;

  /** A fresh browser, signed in, looking at the consent page of a new client. */
  async function consentPage(): Promise<{ agent: BrowserlessAgent; page: Page; state: string }> {
    const agent = new BrowserlessAgent(provider.issuer);
    const target = await createOidcClient(provider.api, { name: 'Needs consent' });
    const request = await authorizationRequest(provider.issuer, target);
    const login = await agent.navigate(request.url);
    expect(login.page && isLoginPage(login.page)).toBe(true);
    const consent = await agent.signIn(login.page as Page, user.email, user.password);
    expect(consent.page && isConsentPage(consent.page)).toBe(true);
    return { agent, page: consent.page as Page, state: request.state };
  }

  function csrfFieldOf(form: ReturnType<typeof formOf>): string {
    const name = [...form.fields.keys()].find((key) => /csrf/i.test(key));
    if (!name) throw new Error(`no CSRF field in the form: ${[...form.fields.keys()].join(', ')}`);
    return name;
  }

  const expectRefused = (landing: Awaited<ReturnType<BrowserlessAgent['submit']>>) => {
    expect(landing.redirect?.href).toBeUndefined();
    expect([400, 403]).toContain(landing.page?.status);
  };

  const expectFramingForbidden = (page: Page) => {
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  };

  beforeAll(async () => {
    provider = await startProvider();
    client = await createOidcClient(provider.api);
    user = await createUser(provider.api);
  });
  afterAll(() => provider?.api.close());

  describe('consent CSRF', () => {
    it('refuses the consent form without its CSRF token, with a wrong one, or cross-site; then accepts it', async () => {
      const { agent, page, state } = await consentPage();
      const allow = () => formOf(page, 'Allow');
      const field = csrfFieldOf(allow());

      const without = allow();
      without.fields.delete(field);
      expectRefused(await agent.submit(without));

      const wrong = allow();
      wrong.fields.set(field, `${wrong.fields.get(field)}x`);
      expectRefused(await agent.submit(wrong));

      const another = await consentPage();
      const foreign = allow();
      foreign.fields.set(field, formOf(another.page, 'Allow').fields.get(field) as string);
      expectRefused(await agent.submit(foreign));

      expectRefused(await agent.submit(allow(), CROSS_SITE));

      // The untouched form still works: the refusals above were the CSRF defence, nothing else.
      const granted = await agent.submit(allow());
      expect(callbackParams(granted.redirect as URL)).toMatchObject({
        code: expect.any(String),
        state,
      });
    });

    it('refuses a login form posted without its CSRF token or cross-site (login CSRF)', async () => {
      const agent = new BrowserlessAgent(provider.issuer);
      const request = await authorizationRequest(provider.issuer, client);
      const login = (await agent.navigate(request.url)).page as Page;
      const form = () => formOf(login, 'Sign in');
      const field = csrfFieldOf(form());
      const without = form();
      without.fields.delete(field);
      expectRefused(await agent.submit(without));
      expectRefused(await agent.submit(form(), CROSS_SITE));
    });
  });

  describe('clickjacking', () => {
    it("login, consent and error pages forbid framing: frame-ancestors 'none', X-Frame-Options DENY", async () => {
      const agent = new BrowserlessAgent(provider.issuer);
      const login = await agent.navigate((await authorizationRequest(provider.issuer, client)).url);
      expectFramingForbidden(login.page as Page);
      const { page } = await consentPage();
      expectFramingForbidden(page);
      const error = await agent.navigate(
        (
          await authorizationRequest(provider.issuer, client, {
            redirect_uri: 'https://evil.example/',
          })
        ).url,
      );
      expect(error.page?.status).toBe(400);
      expectFramingForbidden(error.page as Page);
    });
  });

  describe('mix-up (RFC 9207)', () => {
    let as: oauth.AuthorizationServer;
    const rp = () => ({ client_id: client.clientId });

    beforeAll(async () => {
      const issuer = new URL(provider.issuer);
      as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, {
          algorithm: 'oidc',
          [oauth.allowInsecureRequests]: true,
        }),
      );
      expect(as.authorization_response_iss_parameter_supported).toBe(true);
    });

    it('iss equals the issuer in a successful authorization response', async () => {
      const agent = new BrowserlessAgent(provider.issuer);
      const request = await authorizationRequest(provider.issuer, client);
      const location = await agent.authorize(request.url, user);
      expect(callbackParams(location).iss).toBe(provider.issuer);
      // oauth4webapi's strict check agrees (it throws on a missing or foreign iss).
      expect(oauth.validateAuthResponse(as, rp(), location, request.state).get('code')).toEqual(
        expect.any(String),
      );
    });

    it('iss equals the issuer in error responses: login_required, access_denied, invalid_scope', async () => {
      const fresh = new BrowserlessAgent(provider.issuer);
      const none = await authorizationRequest(provider.issuer, client, { prompt: 'none' });
      expectErrorRedirect(await fresh.navigate(none.url), provider, none, 'login_required');

      const { agent, page, state } = await consentPage();
      const denied = await agent.consent(page, 'Deny');
      expect(callbackParams(denied.redirect as URL)).toMatchObject({
        error: 'access_denied',
        state,
        iss: provider.issuer,
      });
      expect(() => oauth.validateAuthResponse(as, rp(), denied.redirect as URL, state)).toThrow(
        oauth.AuthorizationResponseError,
      );

      const scope = await authorizationRequest(provider.issuer, client, { scope: 'openid admin' });
      expectErrorRedirect(await agent.navigate(scope.url), provider, scope, 'invalid_scope');
    });
  });
});
