import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { DEBIAN_PYTHON, requireDebianPython } from '../debian-python';
import { createClient } from '../oauth-harness';
import { BrowserlessAgent } from './browserless-agent';
import {
  createOidcClient,
  createUser,
  type OidcClient,
  type Provider,
  REDIRECT_URI,
  startProvider,
  type User,
} from './oidc-harness';

const SCRIPT = join(__dirname, 'authlib-client.py');
const run = promisify(execFile);

/** Debian's python3-authlib is there (`.ci/run` installs it and then requires it). */
const authlibAvailable = requireDebianPython('python3-authlib', 'authlib', 'requests');

/** One step of the Authlib client (authlib-client.py); its JSON answer. */
async function authlib<T>(command: string, args: Record<string, unknown>): Promise<T> {
  const { stdout } = await run(DEBIAN_PYTHON, [SCRIPT, command, JSON.stringify(args)], {
    // Authlib refuses plain-HTTP endpoints unless told this is a test against localhost.
    env: { ...process.env, AUTHLIB_INSECURE_TRANSPORT: '1' },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as T;
}

/**
 * auth-api driven by an independent client in another language: Authlib 1.2 (Debian's
 * python3-authlib, with requests), as a Python web app and a Python service would use it. Authlib
 * makes the authorization URL and PKCE pair, checks the callback's state, redeems the code with
 * client_secret_basic, verifies the ID and access tokens against the JWKS (iss, aud, nonce, exp),
 * refreshes, and calls introspection and revocation; each refusal it meets comes back as the
 * OAuth error code it parsed.
 */
(authlibAvailable ? describe : describe.skip)('auth-api for Authlib (Python)', () => {
  let provider: Provider;
  let user: User;
  let relyingParty: OidcClient;

  beforeAll(async () => {
    provider = await startProvider();
    user = await createUser(provider.api, 'authlib-user');
    relyingParty = await createOidcClient(provider.api, {
      name: 'python web app',
      token_endpoint_auth_method: 'client_secret_basic',
    });
  });
  afterAll(() => provider?.api.close());

  it('code + PKCE with client_secret_basic: ID token, access token, UserInfo, rotation and replay', async () => {
    const client = {
      issuer: provider.issuer,
      client_id: relyingParty.clientId,
      client_secret: relyingParty.secret,
      redirect_uri: REDIRECT_URI,
    };
    const start = await authlib<{ url: string; state: string; verifier: string; nonce: string }>(
      'authorize',
      client,
    );
    // Authlib's own PKCE pair (S256) and nonce are on the URL it made.
    const authorizeUrl = new URL(start.url);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('nonce')).toBe(start.nonce);
    const callback = await new BrowserlessAgent(provider.issuer).authorize(authorizeUrl, user);
    const seen = await authlib<Record<string, unknown>>('redeem', {
      ...client,
      ...start,
      callback: callback.href,
    });
    expect(seen).toEqual({
      token_type: 'Bearer',
      id_token: { sub: user.id, email: user.email },
      access_token: { typ: 'at+jwt', sub: user.id },
      userinfo: expect.objectContaining({ sub: user.id, email: user.email }),
      refresh_rotated: true,
      // A racing tab within REFRESH_REUSE_INTERVAL gets the session's current token.
      old_refresh_raced: 'current',
      tokens: { old: expect.any(String), current: expect.any(String) },
    });
    provider.api.clock.advance((provider.api.config.refreshReuseInterval + 1) * 1000);
    const { tokens } = seen as { tokens: { old: string; current: string } };
    expect(await authlib('replay', { ...client, ...tokens })).toEqual({
      old_refresh_replayed: 'invalid_grant',
      // Reuse detection: the replay ended the whole family, the current token included.
      current_refresh_after_replay: 'invalid_grant',
    });
  });

  it('client credentials, introspection, revocation; a wrong secret and an unknown scope refused', async () => {
    const service = await createClient(provider.api, ['stats:read'], 'python service');
    const seen = await authlib<Record<string, unknown>>('service', {
      issuer: provider.issuer,
      client_id: service.clientId,
      client_secret: service.secret,
    });
    expect(seen).toEqual({
      access_token: { typ: 'at+jwt', client_id: service.clientId, scope: 'stats:read' },
      introspected: { active: true, client_id: service.clientId, scope: 'stats:read' },
      revoke_status: 200,
      introspected_after_revoke: false,
      wrong_secret: 'invalid_client',
      unknown_scope: 'invalid_scope',
    });
  });
});
