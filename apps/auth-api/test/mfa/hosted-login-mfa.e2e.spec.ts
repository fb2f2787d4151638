import { claimsOf, PASSWORD } from '../harness';
import {
  BrowserlessAgent,
  fieldNamed,
  formOf,
  isLoginPage,
  type Landing,
  type Page,
  textOf,
} from '../oidc/browserless-agent';
import {
  authorizationRequest,
  callbackParams,
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  redeemCode,
  startProvider,
  type User,
} from '../oidc/oidc-harness';
import { enrolTotp, oathtoolCode, oraclesUnavailable } from './totp-oracle';

const CODE_LABEL = 'Code from your authenticator app, or a recovery code';
const unavailable = oraclesUnavailable();
const describeWithOracles = unavailable ? describe.skip : describe;

/** The hosted login page's second step (script-free form), with the JSON API's lockout. */
describeWithOracles('hosted login: two-step verification (MFA_MAX_FAILURES=2)', () => {
  let provider: Provider;
  let client: OidcClient;
  let user: User & { secret: string; recoveryCodes: string[] };

  beforeAll(async () => {
    provider = await startProvider({ MFA_MAX_FAILURES: '2', MFA_LOCKOUT_SECONDS: '60' });
    client = await createOidcClient(provider.api, { first_party: true });
    const created = await createUser(provider.api, 'hosted-mfa');
    const login = await provider.api
      .http()
      .post('/auth/login')
      .send({ email: created.email, password: PASSWORD })
      .expect(200);
    user = { ...created, ...(await enrolTotp(provider.api, login.body.access_token)) };
  });
  afterAll(() => provider?.api.close());

  const code = () => oathtoolCode(user.secret, provider.api.clock.now());

  async function mfaPage(
    agent: BrowserlessAgent,
  ): Promise<{ page: Page; nonce: string; verifier: string }> {
    const request = await authorizationRequest(provider.issuer, client);
    const landing = await agent.navigate(request.url);
    expect(landing.page && isLoginPage(landing.page)).toBe(true);
    const afterPassword = await agent.signIn(landing.page as Page, user.email, user.password);
    expect(afterPassword.redirect).toBeUndefined();
    const page = afterPassword.page as Page;
    expect(page.status).toBe(200);
    expect(textOf(page)).toContain('Two-step verification');
    expect(page.html).not.toContain('<script');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    return { page, nonce: request.nonce, verifier: request.pkce.verifier };
  }

  function enter(agent: BrowserlessAgent, page: Page, value: string): Promise<Landing> {
    const form = formOf(page, 'Verify');
    form.fields.set(fieldNamed(page, CODE_LABEL), value);
    return agent.submit(form);
  }

  it('asks for the code after the password, then redirects; the ID token says pwd+otp+mfa, acr 2', async () => {
    const agent = new BrowserlessAgent(provider.issuer);
    const { page, nonce, verifier } = await mfaPage(agent);
    const landing = await enter(agent, page, code());
    expect(landing.redirect).toBeDefined();
    const params = callbackParams(landing.redirect as URL);
    expect(params.code).toBeDefined();
    const tokens = (await (await redeemCode(provider, client, params.code, verifier)).json()) as {
      id_token: string;
      access_token: string;
    };
    const idToken = claimsOf(tokens.id_token);
    expect(idToken).toMatchObject({ nonce, amr: ['pwd', 'otp', 'mfa'], acr: '2' });
    expect(claimsOf(tokens.access_token)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: '2' });

    // The browser session remembers the second factor: the next authorization needs no sign-in.
    provider.api.clock.advance(30_000);
    const again = await agent.navigate((await authorizationRequest(provider.issuer, client)).url);
    expect(again.redirect).toBeDefined();
  });

  it('a wrong code stays on the page with an alert; a recovery code works there too', async () => {
    provider.api.clock.advance(30_000);
    const agent = new BrowserlessAgent(provider.issuer);
    const { page } = await mfaPage(agent);
    const wrong = await enter(agent, page, '000000');
    expect(wrong.page?.status).toBe(401);
    expect(wrong.page?.document.querySelector('[role=alert]')).not.toBeNull();
    expect(textOf(wrong.page as Page)).toContain('Two-step verification');
    const landing = await enter(agent, wrong.page as Page, user.recoveryCodes[0]);
    expect(landing.redirect).toBeDefined();
    expect(callbackParams(landing.redirect as URL).code).toBeDefined();
  });

  it('refuses the code form without its CSRF cookie, and a forged challenge', async () => {
    provider.api.clock.advance(30_000);
    const agent = new BrowserlessAgent(provider.issuer);
    const { page } = await mfaPage(agent);
    agent.clearCookies();
    const noCookie = await enter(agent, page, code());
    expect(noCookie.redirect).toBeUndefined();
    expect(noCookie.page?.status).toBe(403);

    const other = new BrowserlessAgent(provider.issuer);
    const fresh = await mfaPage(other);
    const form = formOf(fresh.page, 'Verify');
    form.fields.set('mfa_token', 'A'.repeat(43));
    form.fields.set(fieldNamed(fresh.page, CODE_LABEL), code());
    const forged = await other.submit(form);
    expect(forged.redirect).toBeUndefined();
    expect(forged.page && isLoginPage(forged.page)).toBe(true);
  });

  it('counts wrong codes with POST /auth/login/mfa: locked at both, then unlocked', async () => {
    provider.api.clock.advance(30_000);
    const agent = new BrowserlessAgent(provider.issuer);
    const { page } = await mfaPage(agent);
    await enter(agent, page, '111111');
    const challenge = await provider.api
      .http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD });
    const api = await provider.api
      .http()
      .post('/auth/login/mfa')
      .send({ mfa_token: challenge.body.mfa_token, code: '222222' });
    expect(api.status).toBe(401);

    const locked = await mfaPage(agent);
    const refused = await enter(agent, locked.page, code());
    expect(refused.redirect).toBeUndefined();
    expect(refused.page?.status).toBe(429);
    expect(refused.page?.headers.get('retry-after')).toMatch(/^\d+$/);

    provider.api.clock.advance(61_000);
    const after = await mfaPage(agent);
    expect((await enter(agent, after.page, code())).redirect).toBeDefined();
  });

  it('steps up a one-factor browser session when the client asks for acr_values=2 (RFC 9470 §4)', async () => {
    const later = await createUser(provider.api, 'step-up');
    const agent = new BrowserlessAgent(provider.issuer);
    // Signed in with the password alone, before the account had a second factor.
    const plain = await agent.authorize(
      (await authorizationRequest(provider.issuer, client)).url,
      later,
    );
    expect(callbackParams(plain).code).toBeDefined();
    const login = await provider.api
      .http()
      .post('/auth/login')
      .send({ email: later.email, password: PASSWORD })
      .expect(200);
    const { secret } = await enrolTotp(provider.api, login.body.access_token);

    // Without acr_values the session is enough; with acr_values=2 the sign-in starts again.
    const same = await agent.navigate((await authorizationRequest(provider.issuer, client)).url);
    expect(same.redirect).toBeDefined();
    const request = await authorizationRequest(provider.issuer, client, { acr_values: '2' });
    const landing = await agent.navigate(request.url);
    expect(landing.page && isLoginPage(landing.page)).toBe(true);
    const mfa = await agent.signIn(landing.page as Page, later.email, PASSWORD);
    expect(textOf(mfa.page as Page)).toContain('Two-step verification');
    const done = await enter(
      agent,
      mfa.page as Page,
      oathtoolCode(secret, provider.api.clock.now()),
    );
    const params = callbackParams(done.redirect as URL);
    const tokens = (await (
      await redeemCode(provider, client, params.code, request.pkce.verifier)
    ).json()) as {
      id_token: string;
    };
    expect(claimsOf(tokens.id_token)).toMatchObject({ acr: '2', amr: ['pwd', 'otp', 'mfa'] });

    // prompt=none cannot step up: login_required goes back to the client.
    const other = new BrowserlessAgent(provider.issuer);
    const oneFactor = await createUser(provider.api, 'one-factor');
    await other.authorize((await authorizationRequest(provider.issuer, client)).url, oneFactor);
    const silent = await other.navigate(
      (await authorizationRequest(provider.issuer, client, { acr_values: '2', prompt: 'none' }))
        .url,
    );
    expect(callbackParams(silent.redirect as URL).error).toBe('login_required');
    const discovery = (await (
      await fetch(`${provider.issuer}/.well-known/openid-configuration`)
    ).json()) as { acr_values_supported: string[] };
    expect(discovery.acr_values_supported).toEqual(['1', '2']);
  });
});
