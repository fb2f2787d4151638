import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { io, type Socket } from 'socket.io-client';

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

/** The DPoP proof oauth4webapi makes for a GET of `url` (the socket.io handshake's, here). */
async function handshakeProof(token: string, dpop: oauth.DPoPHandle, url: string) {
  const captured: { proof?: string } = {};
  await oauth
    .protectedResourceRequest(token, 'GET', new URL(url), undefined, null, {
      DPoP: dpop,
      [oauth.allowInsecureRequests]: true,
      [oauth.customFetch]: async (_input: string, init: RequestInit) => {
        captured.proof = new Headers(init.headers).get('dpop') ?? undefined;
        return new Response('{}', { headers: { 'content-type': 'application/json' } });
      },
    })
    .catch(() => undefined);
  return captured.proof ?? '';
}

/** The live feed's socket.io client at `origin`; rejects with the `connect_error`'s data. */
function openFeed(origin: string, auth: Record<string, string>, sockets: Socket[]) {
  return new Promise<Socket>((resolve, reject) => {
    const socket = io(origin, {
      auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: { code: string } }) =>
      reject(error.data),
    );
  });
}

describe('resource-api: DPoP-bound tokens (RFC 9449)', () => {
  let api: ResourceApiHarness;

  beforeAll(async () => {
    api = await createHarness({ listen: true });
  });
  afterAll(() => api.close());
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  it('follows the live feed with a bound token proven at the socket.io handshake', async () => {
    const { keys, token } = await boundToken(api);
    const proof = await handshakeProof(token, oauth.DPoP({}, keys), `${api.url()}/socket.io/`);
    const socket = await openFeed(api.url(), { token, dpop: proof }, sockets);
    const following = new Promise((resolve) => socket.once('following', resolve));
    socket.emit('follow');
    expect(await following).toEqual({ following: true, sub: 'dpop-user' });
    // The bound token without a proof, or as a bearer token: refused at the handshake.
    await expect(
      openFeed(api.url(), { authorization: `DPoP ${token}` }, sockets),
    ).rejects.toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', error: 'invalid_dpop_proof' });
    await expect(openFeed(api.url(), { token }, sockets)).rejects.toMatchObject({
      code: 'ERR_DPOP_BINDING',
    });
  });

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
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  it('refuses at one instance a live-feed handshake proof the other accepted', async () => {
    const { keys, token } = await boundToken(first);
    const proof = await handshakeProof(token, oauth.DPoP({}, keys), `${PUBLIC_URL}/socket.io/`);
    await openFeed(first.url(), { token, dpop: proof }, sockets);
    await expect(openFeed(second.url(), { token, dpop: proof }, sockets)).rejects.toMatchObject({
      code: 'ERR_DPOP_PROOF_INVALID',
    });
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
