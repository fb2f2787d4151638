import { IoAdapter } from '@nestjs/platform-socket.io';

import {
  createGatewayTestApp,
  type GatewayTestApp,
  type SocketTransport,
} from './gateway-test-app';
import { connect, type Connection, type Refusal } from './socket-clients';

/** The handshake refusal each transport gives, for a library code and HTTP body error. */
function refusal(transport: SocketTransport, code: string, error: string) {
  return transport === 'ws'
    ? expect.objectContaining({
        status: 401,
        error,
        wwwAuthenticate: expect.stringMatching(/^Bearer /),
      })
    : expect.objectContaining({ code, error });
}

describe.each<SocketTransport>(['socket.io', 'ws'])('gateways on %s', (transport) => {
  let ctx: GatewayTestApp;
  const open: Connection[] = [];
  const connectAs = async (token?: string, query?: Record<string, string>) => {
    const connection = await connect(transport, ctx.url, { token, query });
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    ctx = await createGatewayTestApp(transport, { revalidateIntervalMs: 200 });
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });
  afterAll(() => ctx.app.close());

  describe('the handshake', () => {
    it('refuses a connection without a token', async () => {
      await expect(connectAs()).rejects.toEqual(
        refusal(transport, 'ERR_TOKEN_MISSING', 'missing_token'),
      );
    });

    it('refuses a bad token and an expired one', async () => {
      await expect(connectAs('abc.def.ghi')).rejects.toEqual(
        refusal(transport, 'ERR_TOKEN_MALFORMED', 'invalid_token'),
      );
      await expect(connectAs(ctx.tokens.sign({}, { expiresIn: -120 }))).rejects.toEqual(
        refusal(transport, 'ERR_TOKEN_EXPIRED', 'invalid_token'),
      );
    });

    it('never reads a token from the query string', async () => {
      const token = ctx.tokens.sign({});
      await expect(
        connectAs(undefined, { token, access_token: token, authorization: `Bearer ${token}` }),
      ).rejects.toEqual(refusal(transport, 'ERR_TOKEN_MISSING', 'missing_token'));
    });

    it('refuses a revoked token', async () => {
      ctx.revoked.add('gone');
      await expect(connectAs(ctx.tokens.sign({ sub: 'gone' }))).rejects.toEqual(
        refusal(transport, 'ERR_TOKEN_REVOKED', 'invalid_token'),
      );
    });
  });

  describe('messages of an authenticated connection', () => {
    it('answers with the connection principal', async () => {
      const connection = await connectAs(ctx.tokens.sign({ sub: 'ada' }));
      expect(await connection.send('whoami')).toEqual({ data: 'ada' });
      expect(await connection.send('ping')).toEqual({ data: 'ada' });
    });

    it('refuses the wrong role and the wrong scope for that message only', async () => {
      const connection = await connectAs(
        ctx.tokens.sign({ sub: 'u1', roles: ['user'], scope: 'read' }),
      );
      expect(await connection.send('publish', 'Hi')).toEqual({
        exception: {
          status: 'error',
          code: 'ERR_INSUFFICIENT_ROLE',
          error: 'forbidden',
          message: 'requires role editor',
        },
      });
      expect(await connection.send('draft', 'Hi')).toEqual({
        exception: expect.objectContaining({
          code: 'ERR_INSUFFICIENT_SCOPE',
          error: 'insufficient_scope',
        }),
      });
      expect(await connection.send('whoami')).toEqual({ data: 'u1' });
    });

    it('refuses a message demanding a stronger login, and keeps the connection open', async () => {
      const now = Math.floor(Date.now() / 1000);
      const connection = await connectAs(
        ctx.tokens.sign({ sub: 'pw', amr: ['pwd'], auth_time: now }),
      );
      expect(await connection.send('purge')).toEqual({
        exception: {
          status: 'error',
          code: 'ERR_INSUFFICIENT_USER_AUTHENTICATION',
          error: 'insufficient_user_authentication',
          message: 'requires authentication methods mfa',
          max_age: 300,
        },
      });
      expect(await connection.send('whoami')).toEqual({ data: 'pw' });
      const strong = await connectAs(ctx.tokens.sign({ amr: ['pwd', 'mfa'], auth_time: now }));
      expect(await strong.send('purge')).toEqual({ data: 'purged' });
    });

    it('lets the right role and scope through', async () => {
      const connection = await connectAs(
        ctx.tokens.sign({ sub: 'ed', roles: ['editor'], scope: 'articles:write' }),
      );
      expect(await connection.send('publish', 'Hi')).toEqual({ data: { title: 'Hi', by: 'ed' } });
      expect(await connection.send('draft', 'Draft')).toEqual({ data: 'Draft' });
    });

    it("keeps concurrent connections' principals apart", async () => {
      const subjects = Array.from({ length: 12 }, (_, i) => `user-${i}`);
      const connections = await Promise.all(
        subjects.map((sub) => connectAs(ctx.tokens.sign({ sub }))),
      );
      const answers = await Promise.all(
        connections.flatMap((connection) => [connection.send('whoami'), connection.send('whoami')]),
      );
      expect(answers.map((answer) => answer.data)).toEqual(subjects.flatMap((sub) => [sub, sub]));
    });
  });

  describe('a connection outliving its token', () => {
    it('is disconnected at expiry with ERR_TOKEN_EXPIRED', async () => {
      const connection = await connectAs(ctx.tokens.sign({ sub: 'short' }, { expiresIn: 2 }));
      const started = Date.now();
      expect(await connection.send('whoami')).toEqual({ data: 'short' });
      const ended = await connection.ended;
      expect(Date.now() - started).toBeGreaterThan(900);
      expect(ended.exception).toMatchObject({ code: 'ERR_TOKEN_EXPIRED', error: 'invalid_token' });
      if (transport === 'ws')
        expect(ended).toMatchObject({ code: 4401, reason: 'ERR_TOKEN_EXPIRED' });
    });

    it('is disconnected soon after its token is revoked', async () => {
      const connection = await connectAs(ctx.tokens.sign({ sub: 'mallory' }));
      expect(await connection.send('whoami')).toEqual({ data: 'mallory' });
      ctx.revoked.add('mallory');
      const ended = await connection.ended;
      expect(ended.exception).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
      if (transport === 'ws')
        expect(ended).toMatchObject({ code: 4401, reason: 'ERR_TOKEN_REVOKED' });
    });
  });
});

describe.each<SocketTransport>(['socket.io', 'ws'])(
  'gateways on %s with allowAnonymous',
  (transport) => {
    let ctx: GatewayTestApp;

    beforeAll(async () => {
      ctx = await createGatewayTestApp(transport, { allowAnonymous: true });
    });
    afterAll(() => ctx.app.close());

    it('lets a connection without a token use @Public() handlers only', async () => {
      const connection = await connect(transport, ctx.url);
      try {
        expect(await connection.send('ping')).toEqual({ data: 'anonymous' });
        expect(await connection.send('whoami')).toEqual({
          exception: expect.objectContaining({ code: 'ERR_TOKEN_MISSING', error: 'missing_token' }),
        });
        expect(await connection.send('ping')).toEqual({ data: 'anonymous' });
      } finally {
        connection.close();
      }
    });

    it('still refuses a bad token at the handshake', async () => {
      await expect(connect(transport, ctx.url, { token: 'abc.def.ghi' })).rejects.toMatchObject({
        error: 'invalid_token',
      } satisfies Partial<Refusal>);
    });
  },
);

describe("socket.io with Nest's own IoAdapter (no handshake check)", () => {
  let ctx: GatewayTestApp;

  beforeAll(async () => {
    ctx = await createGatewayTestApp('socket.io', { adapter: (app) => new IoAdapter(app) });
  });
  afterAll(() => ctx.app.close());

  it('still guards each message with the handshake token, and fails closed without one', async () => {
    const anonymous = await connect('socket.io', ctx.url);
    const ada = await connect('socket.io', ctx.url, { token: ctx.tokens.sign({ sub: 'ada' }) });
    try {
      expect(await anonymous.send('whoami')).toEqual({
        exception: expect.objectContaining({ code: 'ERR_TOKEN_MISSING' }),
      });
      expect(await ada.send('whoami')).toEqual({ data: 'ada' });
    } finally {
      anonymous.close();
      ada.close();
    }
  });
});
