import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';

import { createHarness, type ResourceApiHarness } from './resource-api.harness';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
const PUBLIC_URL = 'https://api.example';
type ClientKeyPair = Parameters<typeof oauth.DPoP>[1];

async function boundToken(api: ResourceApiHarness, roles: string[] = ['user']) {
  const keys = (await generateKeyPair('ES256')) as unknown as ClientKeyPair;
  const jkt = await calculateJwkThumbprint(await exportJWK(keys.publicKey as never));
  return { keys, token: api.tokens.sign({ sub: 'dpop-user', roles, cnf: { jkt } }) };
}

/** A request as oauth4webapi makes it with its DPoP handle; 401s come back as responses. */
async function dpopRequest(
  token: string,
  dpop: oauth.DPoPHandle,
  method: string,
  url: string,
  captured?: { proof?: string },
  /** Deliver to this origin instead (the instance behind the public URL the proof names). */
  deliverTo?: string,
): Promise<Response> {
  try {
    return await oauth.protectedResourceRequest(token, method, new URL(url), undefined, null, {
      DPoP: dpop,
      [oauth.allowInsecureRequests]: true,
      [oauth.customFetch]: (input: string, init: RequestInit) => {
        if (captured) captured.proof = new Headers(init.headers).get('dpop') ?? undefined;
        const target = new URL(input);
        return fetch(deliverTo ? `${deliverTo}${target.pathname}${target.search}` : input, init);
      },
    });
  } catch (error) {
    if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
    throw error;
  }
}

describe('resource-api: DPoP-bound tokens (RFC 9449)', () => {
  let api: ResourceApiHarness;

  beforeAll(async () => {
    api = await createHarness({ listen: true });
  });
  afterAll(() => api.close());

  it('serves a bound token with a proof, refuses it as Bearer, and keeps bearer tokens working', async () => {
    const { keys, token } = await boundToken(api);
    const ok = await dpopRequest(token, oauth.DPoP({}, keys), 'GET', `${api.url()}/me`);
    expect(ok.status).toBe(200);
    const asBearer = await api.http().get('/me').set('Authorization', `Bearer ${token}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers['www-authenticate']).toMatch(
      /^DPoP realm=.*algs=".*", error="invalid_token"/,
    );
    const bearer = api.tokens.sign({ sub: 'plain', roles: ['user'] });
    expect((await api.http().get('/me').set('Authorization', `Bearer ${bearer}`)).status).toBe(200);
  });

  it('checks roles on a DPoP request and refuses a replayed proof', async () => {
    const { keys, token } = await boundToken(api, ['user']);
    const captured: { proof?: string } = {};
    const denied = await dpopRequest(
      token,
      oauth.DPoP({}, keys),
      'POST',
      `${api.url()}/articles`,
      captured,
    );
    expect(denied.status).toBe(403);
    // GET /articles is public; /me needs the token, and so checks its proof.
    const first: { proof?: string } = {};
    const me = await dpopRequest(token, oauth.DPoP({}, keys), 'GET', `${api.url()}/me`, first);
    expect(me.status).toBe(200);
    const replay = await fetch(`${api.url()}/me`, {
      headers: { authorization: `DPoP ${token}`, dpop: first.proof ?? '' },
    });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
  });
});

const describeWithRedis = TEST_REDIS_URL ? describe : describe.skip;
if (!TEST_REDIS_URL) console.warn('resource-api DPoP across instances skipped: set TEST_REDIS_URL');

describeWithRedis('resource-api: DPoP replay across two instances sharing Redis', () => {
  let first: ResourceApiHarness;
  let second: ResourceApiHarness;

  beforeAll(async () => {
    // Two instances behind one public name, as a load balancer would put them.
    const env = { REDIS_URL: TEST_REDIS_URL as string, PUBLIC_URL: PUBLIC_URL };
    first = await createHarness({ listen: true, env });
    second = await createHarness({ listen: true, keys: first.keys, env });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('refuses at one instance a proof the other accepted', async () => {
    const { keys, token } = await boundToken(first);
    const dpop = oauth.DPoP({}, keys);
    const url = `${PUBLIC_URL}/me`;
    // A fresh proof works at either instance: htu is the public URL, not the socket's.
    expect((await dpopRequest(token, dpop, 'GET', url, undefined, second.url())).status).toBe(200);
    const captured: { proof?: string } = {};
    expect((await dpopRequest(token, dpop, 'GET', url, captured, first.url())).status).toBe(200);
    const replay = await fetch(`${second.url()}/me`, {
      headers: { authorization: `DPoP ${token}`, dpop: captured.proof ?? '' },
    });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/invalid_dpop_proof/);
  });
});
