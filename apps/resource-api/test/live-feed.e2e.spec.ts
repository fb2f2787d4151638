import { io, type Socket } from 'socket.io-client';

import { createHarness, type ResourceApiHarness } from './resource-api.harness';

interface Refused {
  message: string;
  data?: { code: string; error: string };
}

describe('resource-api live article feed (socket.io)', () => {
  let h: ResourceApiHarness;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await createHarness({ listen: true });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(() => h.close());

  /** Connects with `token` in socket.io's `auth`; rejects with the `connect_error`. */
  const connectWith = (token?: string) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = io(h.url(), {
        auth: token ? { token } : {},
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error: Error & { data?: Refused['data'] }) =>
        reject({ message: error.message, data: error.data } satisfies Refused),
      );
    });
  const next = <T>(socket: Socket, event: string) =>
    new Promise<T>((resolve) => socket.once(event, resolve));

  it.each([
    ['no token', undefined, 'ERR_TOKEN_MISSING'],
    ['a bad token', 'abc.def.ghi', 'ERR_TOKEN_MALFORMED'],
    ['an expired token', 'expired', 'ERR_TOKEN_EXPIRED'],
  ])('refuses a connection with %s', async (_name, kind, code) => {
    const token = kind === 'expired' ? h.tokens.sign({}, { expiresIn: -120 }) : kind;
    await expect(connectWith(token)).rejects.toMatchObject({ data: { code } });
  });

  it('refuses to follow without the role user, and keeps the socket', async () => {
    const socket = await connectWith(h.tokens.sign({ sub: 'svc', roles: [] }));
    const refused = next<{ code: string }>(socket, 'exception');
    socket.emit('follow');
    expect(await refused).toMatchObject({ code: 'ERR_INSUFFICIENT_ROLE', error: 'forbidden' });
    expect(socket.connected).toBe(true);
  });

  it('pushes every new article, created over REST or GraphQL, to each follower', async () => {
    const followers = await Promise.all(
      ['alice', 'bob'].map((sub) => connectWith(h.tokens.sign({ sub, roles: ['user'] }))),
    );
    for (const [i, socket] of followers.entries()) {
      const following = next<{ following: boolean; sub: string }>(socket, 'following');
      socket.emit('follow');
      expect(await following).toEqual({ following: true, sub: ['alice', 'bob'][i] });
    }
    const editor = h.tokens.sign({ sub: 'editor-1', roles: ['editor'] });
    const arrivals = followers.map((socket) => next<{ title: string }>(socket, 'articleCreated'));
    await h
      .http()
      .post('/articles')
      .auth(editor, { type: 'bearer' })
      .send({ title: 'Over REST', body: 'b' })
      .expect(201);
    for (const arrival of arrivals) expect(await arrival).toMatchObject({ title: 'Over REST' });

    const viaGraphql = followers.map((socket) => next<{ title: string }>(socket, 'articleCreated'));
    await h
      .http()
      .post('/graphql')
      .auth(editor, { type: 'bearer' })
      .set('Content-Type', 'application/json')
      .send({
        query: 'mutation { createArticle(input: {title: "Over GraphQL", body: "b"}) { id } }',
      })
      .expect(200);
    for (const arrival of viaGraphql)
      expect(await arrival).toMatchObject({ title: 'Over GraphQL' });
  });

  it('disconnects a follower when its token expires, saying why', async () => {
    const socket = await connectWith(
      h.tokens.sign({ sub: 'short', roles: ['user'] }, { expiresIn: 2 }),
    );
    const why = next<{ code: string }>(socket, 'exception');
    const gone = next<string>(socket, 'disconnect');
    expect(await why).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    expect(await gone).toBe('io server disconnect');
  });
});
