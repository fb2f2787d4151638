import { BrowserlessAgent } from './browserless-agent';
import {
  authorizationRequest,
  callbackParams,
  createOidcClient,
  createUser,
  expectErrorPage,
  type OidcClient,
  type Provider,
  registerClient,
  startProvider,
} from './oidc-harness';

const REGISTERED = 'https://app.example/cb';

/** URIs no client may register (RFC 6749 §3.1.2, RFC 9700 §4.1.3, OIDC Registration §2). */
const UNREGISTRABLE: [string, string][] = [
  ['userinfo (`@`)', 'https://good.example@evil.example/cb'],
  ['userinfo with a password', 'https://app.example:pw@evil.example/cb'],
  ['a fragment', 'https://app.example/cb#frag'],
  ['an empty fragment', 'https://app.example/cb#'],
  ['javascript:', 'javascript:alert(document.domain)'],
  ['javascript: with a host-like body', 'javascript://app.example/%0aalert(1)'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['plain http off loopback', 'http://app.example/cb'],
  ['a wildcard host', 'https://*.app.example/cb'],
  ['dot segments', 'https://app.example/cb/../evil'],
  ['a `..;/` segment (Tomcat/Spring path parameter)', 'https://app.example/cb/..;/evil'],
  ['a backslash', 'https://app.example\\@evil.example/cb'],
  ['a newline', 'https://app.example/cb\n'],
  ['a relative reference', '/cb'],
  ['a scheme-relative reference', '//evil.example/cb'],
  ['a custom scheme for a web client', 'com.example.app:/cb'],
];

/**
 * Variants of a registered URI an attacker sends to get the code delivered elsewhere (the
 * known open-redirect CVE classes). Exact string comparison (RFC 9700 §4.1.3) refuses them all.
 */
const NOT_REGISTERED: [string, string][] = [
  ['another host', 'https://evil.example/cb'],
  ['userinfo in front of the registered host', 'https://app.example@evil.example/cb'],
  ['the registered host as a subdomain', 'https://app.example.evil.example/cb'],
  ['an upper-case path', 'https://app.example/CB'],
  ['an upper-case host', 'https://APP.EXAMPLE/cb'],
  ['a path prefix match', 'https://app.example/cb-evil'],
  ['a longer path', 'https://app.example/cb/evil'],
  ['dot segments', 'https://app.example/cb/../evil'],
  ['a `..;/` segment', 'https://app.example/cb/..;/evil'],
  ['percent-encoded dot segments', 'https://app.example/cb/%2e%2e/evil'],
  ['a percent-encoded slash', 'https://app.example/cb%2F..%2Fevil'],
  ['a percent-encoded letter', 'https://app.example/%63b'],
  ['a percent-encoded `@` in the host', 'https://app.example%40evil.example/cb'],
  ['an extra query parameter', 'https://app.example/cb?next=https://evil.example'],
  ['a fragment', 'https://app.example/cb#https://evil.example'],
  ['an explicit default port', 'https://app.example:443/cb'],
  ['a trailing slash', 'https://app.example/cb/'],
  ['a trailing space', 'https://app.example/cb '],
  ['a backslash', 'https://app.example\\.evil.example/cb'],
  ['plain http', 'http://app.example/cb'],
  ['a scheme-relative reference', '//evil.example/cb'],
  ['javascript:', 'javascript:alert(1)//https://app.example/cb'],
  ['data:', 'data:text/html,<script>location="https://evil.example"</script>'],
];

/**
 * Hostile redirect URIs: registration refuses the unsafe ones, and the authorization endpoint
 * never redirects anywhere but a registered URI, not even to report an error, and not even
 * for a user who is signed in and has consented (where a code would otherwise be issued).
 */
describe('hostile redirect URIs', () => {
  let provider: Provider;
  let client: OidcClient;
  let agent: BrowserlessAgent;

  const attempt = async (redirectUri: string | undefined, params: Record<string, string> = {}) => {
    const request = await authorizationRequest(provider.issuer, client, {
      redirect_uri: redirectUri,
      ...params,
    });
    return agent.navigate(request.url);
  };

  beforeAll(async () => {
    provider = await startProvider();
    client = await createOidcClient(provider.api, { redirect_uris: [REGISTERED] });
    agent = new BrowserlessAgent(provider.issuer);
    const user = await createUser(provider.api);
    const request = await authorizationRequest(provider.issuer, client);
    const location = await agent.authorize(request.url, user);
    expect(location.href.startsWith(`${REGISTERED}?`)).toBe(true);
  });
  afterAll(() => provider?.api.close());

  it.each(UNREGISTRABLE)('registration refuses %s: %s', async (_, uri) => {
    const res = await registerClient(provider.api, { redirect_uris: [uri] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_redirect_uri');
  });

  it('registration refuses a bad post_logout_redirect_uri, and a native custom scheme without a dot', async () => {
    const logout = await registerClient(provider.api, {
      redirect_uris: [REGISTERED],
      post_logout_redirect_uris: ['https://app.example@evil.example/'],
    });
    expect([logout.status, logout.body.error]).toEqual([400, 'invalid_redirect_uri']);
    const native = await registerClient(provider.api, {
      application_type: 'native',
      redirect_uris: ['myapp:/cb'],
    });
    expect([native.status, native.body.error]).toEqual([400, 'invalid_redirect_uri']);
  });

  it('the registered URI itself redirects with a code (the baseline the cases below differ from)', async () => {
    const landing = await attempt(REGISTERED);
    expect(callbackParams(landing.redirect as URL).code).toEqual(expect.any(String));
  });

  it.each(NOT_REGISTERED)('authorize shows an error page for %s: %s', async (_, uri) => {
    expectErrorPage(await attempt(uri));
  });

  it('an error page, not a redirect, when the client is unknown or missing, whatever else is wrong', async () => {
    expectErrorPage(await attempt(REGISTERED, { client_id: 'no-such-client' }));
    expectErrorPage(await attempt(REGISTERED, { client_id: '' }));
    // Invalid parameters alongside a bad redirect_uri: still no redirect.
    expectErrorPage(await attempt('https://evil.example/cb', { response_type: 'token' }));
    expectErrorPage(await attempt('https://evil.example/cb', { scope: 'openid admin' }));
    expectErrorPage(await attempt('https://evil.example/cb', { code_challenge_method: 'plain' }));
    expectErrorPage(await attempt(undefined));
  });

  it('an error page for a URI registered by another client', async () => {
    const other = await createOidcClient(provider.api, {
      redirect_uris: ['https://other.example/cb'],
    });
    expectErrorPage(await attempt(other.metadata.redirect_uris[0]));
  });

  it('loopback port freedom (RFC 8252 §7.3) for native clients only, and only the port', async () => {
    const native = await createOidcClient(provider.api, {
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/cb'],
      first_party: true,
    });
    const web = await createOidcClient(provider.api, {
      redirect_uris: ['http://127.0.0.1:8080/cb'],
      first_party: true,
    });
    const open = async (target: OidcClient, uri: string) =>
      agent.navigate(
        (await authorizationRequest(provider.issuer, target, { redirect_uri: uri })).url,
      );

    const granted = await open(native, 'http://127.0.0.1:51234/cb');
    expect(granted.redirect?.href.startsWith('http://127.0.0.1:51234/cb?')).toBe(true);
    expect(callbackParams(granted.redirect as URL).code).toEqual(expect.any(String));
    expectErrorPage(await open(native, 'http://127.0.0.1:51234/cb/../evil'));
    expectErrorPage(await open(native, 'http://127.0.0.1:51234/cbx'));
    expectErrorPage(await open(native, 'http://evil.example:51234/cb'));
    expectErrorPage(await open(web, 'http://127.0.0.1:8081/cb'));
  });

  it('RP-initiated logout never redirects to an unregistered post_logout_redirect_uri', async () => {
    for (const uri of ['https://evil.example/', 'https://rp.example/signed-out-evil', REGISTERED]) {
      const url = new URL(`${provider.issuer}/oauth/logout`);
      url.searchParams.set('client_id', client.clientId);
      url.searchParams.set('post_logout_redirect_uri', uri);
      const landing = await agent.navigate(url);
      expect(landing.redirect?.href).toBeUndefined();
    }
  });
});
