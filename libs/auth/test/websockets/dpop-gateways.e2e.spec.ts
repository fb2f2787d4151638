import { IoAdapter } from '@nestjs/platform-socket.io';
import { exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';

import { accessTokenHash, DpopNonces } from '../../src';
import {
  clientKeys,
  extractableKeys,
  handProof,
  jwcryptoAvailable,
  jwcryptoKey,
  jwcryptoProof,
  proofFromOauth4webapi,
  thumbprintOf,
} from '../dpop-proofs';
import {
  createGatewayTestApp,
  type GatewayTestApp,
  type SocketTransport,
} from './gateway-test-app';
import { connect, type Connection, type ConnectOptions, type Refusal } from './socket-clients';

/** The URL of the HTTP request that opens a connection: the upgrade (ws), the handshake (socket.io). */
function handshakeUrl(transport: SocketTransport, base: string): string {
  return transport === 'ws' ? `${base}/` : `${base}/socket.io/`;
}

/** What each transport tells a client whose handshake was refused over DPoP. */
function dpopRefusal(transport: SocketTransport, code: string, error: string) {
  return transport === 'ws'
    ? expect.objectContaining({
        status: 401,
        error,
        wwwAuthenticate: expect.stringMatching(
          new RegExp(`^DPoP realm="[^"]*", algs="ES256 [^"]+", error="${error}"`),
        ),
      })
    : expect.objectContaining({ code, error });
}

describe.each<SocketTransport>(['socket.io', 'ws'])('DPoP at gateways on %s', (transport) => {
  let ctx: GatewayTestApp;
  let htu: string;
  const open: Connection[] = [];
  const connectWith = async (options: ConnectOptions) => {
    const connection = await connect(transport, ctx.url, options);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    ctx = await createGatewayTestApp(transport, { revalidateIntervalMs: 100 });
    htu = handshakeUrl(transport, ctx.url);
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });
  afterAll(() => ctx.app.close());

  it("opens with a bound token and oauth4webapi's proof of the handshake; every message keeps it", async () => {
    const keys = await clientKeys();
    const token = ctx.tokens.sign({
      sub: 'u1',
      roles: ['user'],
      cnf: { jkt: await thumbprintOf(keys) },
    });
    const proof = await proofFromOauth4webapi(oauth.DPoP({}, keys), token, new URL(htu));
    const connection = await connectWith({ token, dpop: proof });
    expect(await connection.send('whoami')).toEqual({ data: 'u1' });
    // Roles still apply to each message of a DPoP connection.
    expect(await connection.send('publish', 'T')).toEqual({
      exception: expect.objectContaining({ code: 'ERR_INSUFFICIENT_ROLE' }),
    });
    // The periodic re-verification (every 100 ms here) asks for no second proof.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await connection.send('whoami')).toEqual({ data: 'u1' });
  });

  it('takes the ws: URL the client dialled as the htu of the upgrade', async () => {
    const keys = await extractableKeys();
    const token = ctx.tokens.sign({ sub: 'u2', cnf: { jkt: await thumbprintOf(keys) } });
    const proof = await handProof(keys, {
      htm: 'GET',
      htu: htu.replace(/^http/, 'ws'),
      ath: accessTokenHash(token),
    });
    const connection = await connectWith({ token, dpop: proof });
    expect(await connection.send('whoami')).toEqual({ data: 'u2' });
  });

  it('refuses a bound token sent as a bearer token at the handshake (RFC 9449 §7.2)', async () => {
    const keys = await clientKeys();
    const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    await expect(connectWith({ token })).rejects.toEqual(
      dpopRefusal(transport, 'ERR_DPOP_BINDING', 'invalid_token'),
    );
  });

  it('refuses an unbound token sent as DPoP', async () => {
    const keys = await extractableKeys();
    const token = ctx.tokens.sign({ sub: 'u1' });
    const proof = await handProof(keys, { htm: 'GET', htu, ath: accessTokenHash(token) });
    await expect(connectWith({ token, dpop: proof })).rejects.toEqual(
      dpopRefusal(transport, 'ERR_DPOP_BINDING', 'invalid_token'),
    );
  });

  it('refuses hostile handshake proofs', async () => {
    const keys = await extractableKeys();
    const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const good = { htm: 'GET', htu, ath: accessTokenHash(token) };
    const other = await extractableKeys();
    const cases: Array<[string, Promise<string> | string]> = [
      ['POST for the GET handshake', handProof(keys, { ...good, htm: 'POST' })],
      ['another path', handProof(keys, { ...good, htu: `${ctx.url}/elsewhere` })],
      ['another origin', handProof(keys, { ...good, htu: 'http://evil.example/' })],
      [
        'wss: for a plain ws: upgrade',
        handProof(keys, { ...good, htu: htu.replace(/^http/, 'wss') }),
      ],
      ['a stale iat', handProof(keys, { ...good, iat: Math.floor(Date.now() / 1000) - 600 })],
      ['another key', handProof(other, good)],
      ["another token's ath", handProof(keys, { ...good, ath: accessTokenHash('another') })],
      ['a private key in jwk', handProof(keys, good, { jwk: await exportJWK(keys.privateKey) })],
      ['alg none', handProof(keys, good).then(asAlgNone)],
      ['garbage', 'not.a.proof'],
    ];
    for (const [name, proof] of cases) {
      const refusal = await connectWith({ token, dpop: await proof }).then(
        () => 'opened',
        (error: Refusal) => error,
      );
      expect([name, refusal]).toEqual([
        name,
        dpopRefusal(transport, 'ERR_DPOP_PROOF_INVALID', 'invalid_dpop_proof'),
      ]);
    }
    // No proof at all.
    await expect(connectWith({ authorization: `DPoP ${token}` })).rejects.toEqual(
      dpopRefusal(transport, 'ERR_DPOP_PROOF_INVALID', 'invalid_dpop_proof'),
    );
  });

  it('refuses a handshake proof used before, even for a second connection of the same client', async () => {
    const keys = await extractableKeys();
    const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const proof = await handProof(keys, { htm: 'GET', htu, ath: accessTokenHash(token) });
    const first = await connectWith({ token, dpop: proof });
    expect(await first.send('whoami')).toEqual({ data: 'u1' });
    await expect(connectWith({ token, dpop: proof })).rejects.toEqual(
      dpopRefusal(transport, 'ERR_DPOP_PROOF_INVALID', 'invalid_dpop_proof'),
    );
  });

  it('opens exactly one of eight connections racing with the same proof', async () => {
    const keys = await extractableKeys();
    const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const proof = await handProof(keys, { htm: 'GET', htu, ath: accessTokenHash(token) });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        connectWith({ token, dpop: proof }).then(
          () => 'opened',
          (refusal: Refusal) => refusal.error,
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'opened')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'invalid_dpop_proof')).toHaveLength(7);
  });

  // socket.io's payload may hold anything; ws takes the proof from a header, always a string.
  (transport === 'socket.io' ? it : it.skip)(
    'refuses proofs of the wrong shape in the handshake payload, and stays up',
    async () => {
      const keys = await extractableKeys();
      const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const shapes: unknown[] = [42, {}, ['a.b.c', 'd.e.f'], null, 'x'.repeat(100_000), ''];
      for (const dpop of shapes) {
        const refusal = await connectWith({ token, dpop: dpop as string }).then(
          () => 'opened',
          (error: Refusal) => error,
        );
        expect([dpop, refusal]).toEqual([
          dpop,
          expect.objectContaining({ error: 'invalid_dpop_proof' }),
        ]);
      }
      const proof = await handProof(keys, { htm: 'GET', htu, ath: accessTokenHash(token) });
      const connection = await connectWith({ token, dpop: proof });
      expect(await connection.send('whoami')).toEqual({ data: 'u1' });
    },
  );

  (jwcryptoAvailable ? it : it.skip)(
    'accepts a proof minted by python3-jwcrypto, unchanged',
    async () => {
      const { key, jkt } = jwcryptoKey();
      const token = ctx.tokens.sign({ sub: 'py', cnf: { jkt } });
      const connection = await connectWith({
        token,
        dpop: jwcryptoProof(key, 'GET', htu, accessTokenHash(token)),
      });
      expect(await connection.send('whoami')).toEqual({ data: 'py' });
    },
  );
});

describe.each<SocketTransport>(['socket.io', 'ws'])(
  'DPoP at gateways on %s: server nonces, DPoP only',
  (transport) => {
    let ctx: GatewayTestApp;

    beforeAll(async () => {
      ctx = await createGatewayTestApp(transport, {
        auth: { dpop: { required: true, nonces: new DpopNonces('n'.repeat(32)) } },
      });
    });
    afterAll(() => ctx.app.close());

    it('hands out the nonce with use_dpop_nonce; a proof carrying it opens the connection', async () => {
      const keys = await extractableKeys();
      const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const claims = {
        htm: 'GET',
        htu: handshakeUrl(transport, ctx.url),
        ath: accessTokenHash(token),
      };
      const refusal = await connect(transport, ctx.url, {
        token,
        dpop: await handProof(keys, claims),
      }).then(
        () => undefined,
        (error: Refusal) => error,
      );
      expect(refusal).toEqual(dpopRefusal(transport, 'ERR_DPOP_NONCE_REQUIRED', 'use_dpop_nonce'));
      expect(refusal?.dpopNonce).toMatch(/^[\w.-]{16,}$/);
      const connection = await connect(transport, ctx.url, {
        token,
        dpop: await handProof(keys, { ...claims, nonce: refusal?.dpopNonce }),
      });
      try {
        expect(await connection.send('whoami')).toEqual({ data: 'u1' });
      } finally {
        connection.close();
      }
    });

    it('refuses a bearer token when DPoP is required', async () => {
      await expect(
        connect(transport, ctx.url, { token: ctx.tokens.sign({ sub: 'u1' }) }),
      ).rejects.toEqual(dpopRefusal(transport, 'ERR_DPOP_BINDING', 'invalid_token'));
    });
  },
);

describe("DPoP over socket.io with Nest's own IoAdapter (no handshake check)", () => {
  let ctx: GatewayTestApp;

  beforeAll(async () => {
    ctx = await createGatewayTestApp('socket.io', { adapter: (app) => new IoAdapter(app) });
  });
  afterAll(() => ctx.app.close());

  it('fails closed: nothing checked the proof, so no message of a DPoP connection passes', async () => {
    const keys = await extractableKeys();
    const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
    const proof = await handProof(keys, {
      htm: 'GET',
      htu: `${ctx.url}/socket.io/`,
      ath: accessTokenHash(token),
    });
    const connection = await connect('socket.io', ctx.url, { token, dpop: proof });
    try {
      expect(await connection.send('whoami')).toEqual({
        exception: expect.objectContaining({ code: 'ERR_DPOP_PROOF_INVALID' }),
      });
    } finally {
      connection.close();
    }
  });
});

/** The same proof claiming `alg: none`, its signature dropped. */
function asAlgNone(proof: string): string {
  const [header, payload] = proof.split('.');
  const parsed = JSON.parse(Buffer.from(header, 'base64url').toString()) as object;
  const none = Buffer.from(JSON.stringify({ ...parsed, alg: 'none' })).toString('base64url');
  return `${none}.${payload}.`;
}
