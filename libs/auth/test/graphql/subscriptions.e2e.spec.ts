import { createClient } from 'graphql-ws';
import * as oauth from 'oauth4webapi';
import WebSocket from 'ws';

import { accessTokenHash, DpopNonces } from '../../src';
import {
  clientKeys,
  extractableKeys,
  handProof,
  type KeyPair,
  proofFromOauth4webapi,
  thumbprintOf,
} from '../dpop-proofs';
import {
  type GraphqlDriverName,
  createGraphqlTestApp,
  type GraphqlTestApp,
} from './graphql-test-app';

interface Outcome {
  data: unknown[];
  errors: unknown[];
}

/** Subscribes once over graphql-ws with `connectionParams`, and collects until completion. */
async function subscribe(url: string, query: string, connectionParams: Record<string, unknown>) {
  const [outcome] = await subscribeOnOneConnection(url, [query], connectionParams);
  return outcome;
}

/** One graphql-ws connection, its subscriptions one after the other; each one's outcome. */
async function subscribeOnOneConnection(
  url: string,
  queries: string[],
  connectionParams: Record<string, unknown>,
): Promise<Outcome[]> {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    lazyCloseTimeout: 1000,
  });
  const outcomes: Outcome[] = [];
  try {
    for (const query of queries) outcomes.push(await collect(client, query));
  } finally {
    await client.dispose();
  }
  return outcomes;
}

async function collect(client: ReturnType<typeof createClient>, query: string): Promise<Outcome> {
  const outcome: Outcome = { data: [], errors: [] };
  {
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query },
        {
          next: (result) => {
            if (result.data) outcome.data.push(result.data);
            if (result.errors) outcome.errors.push(...result.errors);
          },
          error: (error: unknown) => {
            // graphql-ws hands the errors of a refused subscription as an array (Mercurius).
            outcome.errors.push(...(Array.isArray(error) ? error : [error]));
            resolve();
          },
          complete: resolve,
        },
      );
    });
  }
  return outcome;
}

describe.each<GraphqlDriverName>(['apollo', 'mercurius'])('subscriptions on %s', (driver) => {
  let ctx: GraphqlTestApp;

  beforeAll(async () => {
    ctx = await createGraphqlTestApp(driver);
  });
  afterAll(() => ctx.app.close());

  it('opens a @Public() subscription', async () => {
    const outcome = await subscribe(ctx.wsUrl, 'subscription { ticks }', {});
    expect(outcome).toEqual({ data: [{ ticks: 'tick' }], errors: [] });
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('refuses a guarded subscription without a token', async () => {
    const outcome = await subscribe(ctx.wsUrl, 'subscription { articleAdded }', {});
    expect(outcome.data).toEqual([]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'UNAUTHENTICATED', error: 'ERR_TOKEN_MISSING' },
      }),
    ]);
  });

  it('never reads a token from the query string', async () => {
    const token = ctx.tokens.sign({ sub: 'u1' });
    const url = `${ctx.wsUrl}?access_token=${token}&authorization=Bearer%20${token}`;
    const outcome = await subscribe(url, 'subscription { articleAdded }', {});
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'UNAUTHENTICATED', error: 'ERR_TOKEN_MISSING' },
      }),
    ]);
  });

  it('opens a guarded subscription with the token of connectionParams', async () => {
    const token = ctx.tokens.sign({ sub: 'u1' });
    const outcome = await subscribe(ctx.wsUrl, 'subscription { articleAdded }', bearer(token));
    expect(outcome).toEqual({ data: [{ articleAdded: 'Hello' }], errors: [] });
  });

  it.each([
    ['a bad token', 'abc.def.ghi', 'ERR_TOKEN_MALFORMED'],
    ['an expired token', 'expired', 'ERR_TOKEN_EXPIRED'],
  ])('refuses %s', async (_name, kind, error) => {
    const token = kind === 'expired' ? ctx.tokens.sign({}, { expiresIn: -120 }) : kind;
    const outcome = await subscribe(ctx.wsUrl, 'subscription { articleAdded }', bearer(token));
    expect(outcome.data).toEqual([]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED', error } }),
    ]);
  });

  it('refuses the wrong role: FORBIDDEN / ERR_INSUFFICIENT_ROLE', async () => {
    const token = ctx.tokens.sign({ roles: ['user'] });
    const outcome = await subscribe(ctx.wsUrl, 'subscription { draftAdded }', bearer(token));
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'FORBIDDEN', error: 'ERR_INSUFFICIENT_ROLE' },
      }),
    ]);
  });

  it('closes a subscription kept open past the token expiry, with a readable reason', async () => {
    const token = ctx.tokens.sign({ sub: 'short' }, { expiresIn: 2 });
    const started = Date.now();
    const outcome = await subscribe(ctx.wsUrl, 'subscription { articleFeed }', bearer(token));
    expect(outcome.data).toEqual([{ articleFeed: 'short' }]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ code: 4401, reason: 'ERR_TOKEN_EXPIRED' }),
    ]);
    expect(Date.now() - started).toBeGreaterThan(900);
  });

  describe('with a DPoP-bound token (a proof of the upgrade in connectionParams.dpop)', () => {
    const dpopParams = (token: string, dpop?: string) => ({
      authorization: `DPoP ${token}`,
      ...(dpop === undefined ? {} : { dpop }),
    });
    const httpUrl = () => ctx.wsUrl.replace(/^ws/, 'http');

    it("opens guarded subscriptions with oauth4webapi's proof, checked once per connection", async () => {
      const keys = await clientKeys();
      const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const proof = await proofFromOauth4webapi(oauth.DPoP({}, keys), token, new URL(httpUrl()));
      const outcomes = await subscribeOnOneConnection(
        ctx.wsUrl,
        // A second operation on the connection replays nothing: the proof was checked once.
        ['subscription { articleAdded }', 'subscription { articleAdded }'],
        dpopParams(token, proof),
      );
      expect(outcomes).toEqual([
        { data: [{ articleAdded: 'Hello' }], errors: [] },
        { data: [{ articleAdded: 'Hello' }], errors: [] },
      ]);
    });

    it('takes the ws: URL the client dialled as htu', async () => {
      const keys = await extractableKeys();
      const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const proof = await handProof(keys, {
        htm: 'GET',
        htu: ctx.wsUrl,
        ath: accessTokenHash(token),
      });
      const outcome = await subscribe(
        ctx.wsUrl,
        'subscription { articleAdded }',
        dpopParams(token, proof),
      );
      expect(outcome).toEqual({ data: [{ articleAdded: 'Hello' }], errors: [] });
    });

    type ProofOf = (keys: KeyPair, token: string, htu: string) => Promise<string | undefined>;
    const proofCases: Array<[string, ProofOf]> = [
      ['no proof', async () => undefined],
      [
        'another key',
        async (_keys, token, htu) =>
          handProof(await extractableKeys(), { htm: 'GET', htu, ath: accessTokenHash(token) }),
      ],
      [
        'another URL',
        async (keys, token) =>
          handProof(keys, {
            htm: 'GET',
            htu: 'http://127.0.0.1:1/graphql',
            ath: accessTokenHash(token),
          }),
      ],
    ];
    it.each(proofCases)(
      'refuses %s: UNAUTHENTICATED / ERR_DPOP_PROOF_INVALID',
      async (_, proofOf) => {
        const keys = await extractableKeys();
        const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
        const proof = await proofOf(keys, token, httpUrl());
        const outcome = await subscribe(
          ctx.wsUrl,
          'subscription { articleAdded }',
          dpopParams(token, proof),
        );
        expect(outcome).toEqual({
          data: [],
          errors: [
            expect.objectContaining({
              extensions: { code: 'UNAUTHENTICATED', error: 'ERR_DPOP_PROOF_INVALID' },
            }),
          ],
        });
      },
    );

    it('refuses the bound token sent as Bearer', async () => {
      const keys = await clientKeys();
      const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const outcome = await subscribe(ctx.wsUrl, 'subscription { articleAdded }', bearer(token));
      expect(outcome.errors).toEqual([
        expect.objectContaining({
          extensions: { code: 'UNAUTHENTICATED', error: 'ERR_DPOP_BINDING' },
        }),
      ]);
    });
  });

  it("keeps two connections' principals apart", async () => {
    const [a, b] = await Promise.all(
      ['alice', 'bob'].map((sub) =>
        subscribe(
          ctx.wsUrl,
          'subscription { articleFeed }',
          bearer(ctx.tokens.sign({ sub }, { expiresIn: 1 })),
        ),
      ),
    );
    expect(a.data).toEqual([{ articleFeed: 'alice' }]);
    expect(b.data).toEqual([{ articleFeed: 'bob' }]);
  });
});

describe.each<GraphqlDriverName>(['apollo', 'mercurius'])(
  'DPoP server nonces on %s: handed out in extensions.dpop_nonce',
  (driver) => {
    let ctx: GraphqlTestApp;

    beforeAll(async () => {
      ctx = await createGraphqlTestApp(driver, {
        dpop: { nonces: new DpopNonces('n'.repeat(32)) },
      });
    });
    afterAll(() => ctx.app.close());

    it('to a subscription: a proof carrying the nonce then opens it', async () => {
      const keys = await extractableKeys();
      const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const claims = { htm: 'GET', htu: ctx.wsUrl, ath: accessTokenHash(token) };
      const params = async (extra: Record<string, unknown> = {}) => ({
        authorization: `DPoP ${token}`,
        dpop: await handProof(keys, { ...claims, ...extra }),
      });
      const refused = await subscribe(ctx.wsUrl, 'subscription { articleAdded }', await params());
      expect(refused.errors).toEqual([
        expect.objectContaining({
          extensions: {
            code: 'UNAUTHENTICATED',
            error: 'ERR_DPOP_NONCE_REQUIRED',
            dpop_nonce: expect.any(String),
          },
        }),
      ]);
      const nonce = (refused.errors[0] as { extensions: { dpop_nonce: string } }).extensions
        .dpop_nonce;
      const outcome = await subscribe(
        ctx.wsUrl,
        'subscription { articleAdded }',
        await params({ nonce }),
      );
      expect(outcome).toEqual({ data: [{ articleAdded: 'Hello' }], errors: [] });
    });

    it('to a query over HTTP, whose answer in errors[] cannot carry a DPoP-Nonce header', async () => {
      const keys = await extractableKeys();
      const token = ctx.tokens.sign({ sub: 'u1', cnf: { jkt: await thumbprintOf(keys) } });
      const url = ctx.wsUrl.replace(/^ws/, 'http');
      const claims = { htm: 'POST', htu: url, ath: accessTokenHash(token) };
      const ask = async (extra: Record<string, unknown> = {}) =>
        (await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `DPoP ${token}`,
            dpop: await handProof(keys, { ...claims, ...extra }),
          },
          body: JSON.stringify({ query: '{ viewer { sub } }' }),
        }).then((res) => res.json())) as {
          data?: unknown;
          errors?: Array<{ extensions: { error: string; dpop_nonce?: string } }>;
        };
      const refused = await ask();
      expect(refused.errors?.[0].extensions).toMatchObject({ error: 'ERR_DPOP_NONCE_REQUIRED' });
      const nonce = refused.errors?.[0].extensions.dpop_nonce;
      expect(nonce).toEqual(expect.any(String));
      expect(await ask({ nonce })).toEqual({ data: { viewer: { sub: 'u1' } } });
    });
  },
);

describe('subscriptions on Mercurius without mercuriusSubscriptionContext', () => {
  let ctx: GraphqlTestApp;

  beforeAll(async () => {
    ctx = await createGraphqlTestApp('mercurius-bare');
  });
  afterAll(() => ctx.app.close());

  it('still opens a @Public() subscription', async () => {
    const outcome = await subscribe(ctx.wsUrl, 'subscription { ticks }', {});
    expect(outcome).toEqual({ data: [{ ticks: 'tick' }], errors: [] });
  });

  it('refuses a guarded subscription even with a good token: its expiry could not be enforced', async () => {
    const token = ctx.tokens.sign({ sub: 'u1' });
    const outcome = await subscribe(ctx.wsUrl, 'subscription { articleAdded }', {
      authorization: `Bearer ${token}`,
    });
    expect(outcome.data).toEqual([]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'UNAUTHENTICATED', error: 'ERR_TOKEN_MISSING' },
      }),
    ]);
  });
});
