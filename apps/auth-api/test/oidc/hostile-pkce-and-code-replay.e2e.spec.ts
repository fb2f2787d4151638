import { createClient, introspect, type TestClient } from '../oauth-harness';
import { BrowserlessAgent } from './browserless-agent';
import {
  type AuthorizationRequest,
  authorizationRequest,
  callbackParams,
  createOidcClient,
  createUser,
  expectErrorRedirect,
  type OidcClient,
  type Provider,
  redeemCode,
  startProvider,
  tokenEndpoint,
  type User,
} from './oidc-harness';

const MINUTE = 60_000;

/**
 * PKCE (RFC 7636, S256 only, required of every client: RFC 9700 §2.1.1) and the single use of
 * authorization codes (RFC 6749 §4.1.2: a reused code is refused and "SHOULD revoke all
 * tokens previously issued based on that authorization code").
 */
describe('hostile PKCE and authorization-code replay', () => {
  let provider: Provider;
  let client: OidcClient;
  let confidential: OidcClient;
  let user: User;
  let agent: BrowserlessAgent;
  let introspector: TestClient;

  async function codeFor(target: OidcClient, params: Record<string, string | undefined> = {}) {
    const request = await authorizationRequest(provider.issuer, target, params);
    const { code } = callbackParams(await agent.authorize(request.url, user));
    return { request, code };
  }

  const refused = async (res: globalThis.Response, errors = ['invalid_grant']) => {
    expect(res.status).toBe(400);
    expect(errors).toContain(((await res.json()) as { error: string }).error);
  };

  const active = async (token: string) =>
    (await introspect(provider.api, introspector, token)).body.active as boolean;

  const refresh = (refreshToken: string) =>
    tokenEndpoint(provider, client, { grant_type: 'refresh_token', refresh_token: refreshToken });

  beforeAll(async () => {
    provider = await startProvider();
    client = await createOidcClient(provider.api);
    confidential = await createOidcClient(provider.api, {
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: true,
    });
    introspector = await createClient(provider.api, ['stats:read'], 'introspector');
    user = await createUser(provider.api);
    agent = new BrowserlessAgent(provider.issuer);
    await codeFor(client);
  });
  afterAll(() => provider?.api.close());

  describe('at the authorization endpoint', () => {
    const cases: [string, Record<string, string | undefined>][] = [
      ['no code_challenge', { code_challenge: undefined, code_challenge_method: undefined }],
      ['code_challenge_method=plain', { code_challenge_method: 'plain' }],
      [
        'no code_challenge_method (RFC 7636 would default to plain)',
        { code_challenge_method: undefined },
      ],
      ['an unknown method', { code_challenge_method: 'S512' }],
      ['a challenge that is no S256 digest', { code_challenge: 'too-short' }],
    ];

    it.each(cases)(
      'a public client with %s gets invalid_request, redirected with iss',
      async (_, params) => {
        const request: AuthorizationRequest = await authorizationRequest(
          provider.issuer,
          client,
          params,
        );
        expectErrorRedirect(
          await agent.navigate(request.url),
          provider,
          request,
          'invalid_request',
        );
      },
    );

    it('a confidential client must use PKCE too', async () => {
      const request = await authorizationRequest(provider.issuer, confidential, {
        code_challenge: undefined,
        code_challenge_method: undefined,
      });
      expectErrorRedirect(await agent.navigate(request.url), provider, request, 'invalid_request');
    });
  });

  describe('at the token endpoint', () => {
    it('refuses a wrong verifier', async () => {
      const { code } = await codeFor(client);
      const other = await authorizationRequest(provider.issuer, client);
      await refused(await redeemCode(provider, client, code, other.pkce.verifier));
    });

    it('refuses a redemption without a verifier (downgrade)', async () => {
      const { code } = await codeFor(client);
      await refused(await redeemCode(provider, client, code, undefined), [
        'invalid_grant',
        'invalid_request',
      ]);
    });

    it('refuses the challenge itself as the verifier (what an observer of the front channel has)', async () => {
      const { code, request } = await codeFor(client);
      await refused(await redeemCode(provider, client, code, request.pkce.challenge));
    });

    it('refuses a verifier with characters RFC 7636 §4.1 does not allow', async () => {
      const { code } = await codeFor(client);
      await refused(await redeemCode(provider, client, code, `${'a'.repeat(50)}+/=`), [
        'invalid_grant',
        'invalid_request',
      ]);
    });

    it('refuses a code to another client, and with another redirect_uri', async () => {
      const { code, request } = await codeFor(client);
      const thief = await createOidcClient(provider.api, { name: 'thief' });
      await refused(await redeemCode(provider, thief, code, request.pkce.verifier));
      const second = await codeFor(client);
      await refused(
        await redeemCode(provider, client, second.code, second.request.pkce.verifier, {
          redirect_uri: 'https://rp.example/other',
        }),
      );
    });
  });

  it('a reused code is refused and revokes what the first redemption issued', async () => {
    const { code, request } = await codeFor(client);
    const first = await redeemCode(provider, client, code, request.pkce.verifier);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    expect(await active(tokens.access_token)).toBe(true);

    await refused(await redeemCode(provider, client, code, request.pkce.verifier));
    expect(await active(tokens.access_token)).toBe(false);
    await refused(await refresh(tokens.refresh_token));
  });

  it('50 parallel redemptions of one code: exactly one succeeds, and the replays revoke it', async () => {
    const { code, request } = await codeFor(client);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => redeemCode(provider, client, code, request.pkce.verifier)),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(49);
    const bodies = await Promise.all(answers.map((res) => res.json()));
    const winner = bodies[statuses.indexOf(200)] as { access_token: string; refresh_token: string };
    for (const body of bodies.filter((_, i) => statuses[i] === 400))
      expect(body).toMatchObject({ error: 'invalid_grant' });

    expect(await active(winner.access_token)).toBe(false);
    await refused(await refresh(winner.refresh_token));
  });

  it('refuses a code past its lifetime (RFC 6749 §4.1.2: ten minutes at most)', async () => {
    const { code, request } = await codeFor(client);
    provider.api.clock.advance(10 * MINUTE + 1000);
    await refused(await redeemCode(provider, client, code, request.pkce.verifier));
  });
});
