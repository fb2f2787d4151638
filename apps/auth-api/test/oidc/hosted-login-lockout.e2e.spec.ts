import { BrowserlessAgent, isLoginPage, type Page } from './browserless-agent';
import {
  authorizationRequest,
  callbackParams,
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  startProvider,
  type User,
} from './oidc-harness';

/**
 * The hosted login page and `POST /auth/login` share one per-account lockout (issue #20): a
 * password guesser gains nothing by switching between them.
 */
describe('hosted login: lockout shared with /auth/login (LOGIN_MAX_FAILURES=3)', () => {
  let provider: Provider;
  let client: OidcClient;
  let user: User;

  const loginPage = async (agent: BrowserlessAgent): Promise<Page> => {
    const landing = await agent.navigate((await authorizationRequest(provider.issuer, client)).url);
    expect(landing.page && isLoginPage(landing.page)).toBe(true);
    return landing.page as Page;
  };

  const apiLogin = (password: string) =>
    provider.api.http().post('/auth/login').send({ email: user.email, password });

  beforeAll(async () => {
    provider = await startProvider({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '60' });
    client = await createOidcClient(provider.api, { first_party: true });
    user = await createUser(provider.api);
  });
  afterAll(() => provider?.api.close());

  it('a wrong password shows an alert on the login page, without a redirect', async () => {
    const agent = new BrowserlessAgent(provider.issuer);
    const landing = await agent.signIn(await loginPage(agent), user.email, 'wrong password 1');
    expect(landing.redirect?.href).toBeUndefined();
    expect(landing.page?.document.querySelector('[role=alert]')).not.toBeNull();
    expect(landing.page && isLoginPage(landing.page)).toBe(true);
  });

  it('failures at both count together; once locked, neither accepts the right password', async () => {
    const agent = new BrowserlessAgent(provider.issuer);
    // One failure above, one more here at the hosted page, the third at the JSON API.
    await agent.signIn(await loginPage(agent), user.email, 'wrong password 2');
    expect((await apiLogin('wrong password 3')).status).toBe(401);

    const api = await apiLogin(user.password);
    expect([api.status, api.body.error]).toEqual([429, 'account_locked']);
    const hosted = await agent.signIn(await loginPage(agent), user.email, user.password);
    expect(hosted.redirect?.href).toBeUndefined();
    expect(hosted.page?.document.querySelector('[role=alert]')).not.toBeNull();

    // Past the lockout the hosted page signs the user in (the refusal above was the lockout).
    provider.api.clock.advance(61_000);
    const after = await agent.signIn(await loginPage(agent), user.email, user.password);
    expect(callbackParams(after.redirect as URL).code).toEqual(expect.any(String));
  });
});
