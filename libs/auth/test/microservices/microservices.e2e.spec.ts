import { Logger } from '@nestjs/common';
import request from 'supertest';

import { viewedEvents } from './articles.handlers';
import {
  createMicroserviceTestApp,
  type MicroserviceTestApp,
  transportsUnderTest,
} from './microservice-test-app';

/** The error a refused `send()` errors with. */
async function refusal(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the message to be refused');
}

/** Waits until `condition` holds: an event's handler runs after `emit()` resolves. */
async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(transportsUnderTest())('guards on microservices (%s)', (transport) => {
  let ctx: MicroserviceTestApp;

  beforeAll(async () => {
    ctx = await createMicroserviceTestApp(transport);
  });
  afterAll(() => ctx.close());

  it('answers a @Public() handler without a token, with no principal', async () => {
    await expect(ctx.send('health', {})).resolves.toBe('anonymous');
  });

  it('refuses a message without a token: ERR_TOKEN_MISSING', async () => {
    expect(await refusal(ctx.send('whoami', {}))).toEqual({
      status: 'error',
      code: 'ERR_TOKEN_MISSING',
      error: 'missing_token',
      message: 'a bearer token is required',
    });
  });

  it('refuses a bad token: invalid_token / ERR_TOKEN_MALFORMED', async () => {
    expect(await refusal(ctx.send('whoami', {}, 'abc.def.ghi'))).toMatchObject({
      status: 'error',
      code: 'ERR_TOKEN_MALFORMED',
      error: 'invalid_token',
    });
  });

  it('refuses an expired token: invalid_token / ERR_TOKEN_EXPIRED', async () => {
    const token = ctx.tokens.sign({}, { expiresIn: -120 });
    expect(await refusal(ctx.send('whoami', {}, token))).toMatchObject({
      code: 'ERR_TOKEN_EXPIRED',
      error: 'invalid_token',
    });
  });

  it('refuses a role the principal lacks: forbidden / ERR_INSUFFICIENT_ROLE', async () => {
    const token = ctx.tokens.sign({ roles: ['user'] });
    expect(await refusal(ctx.send('create', { title: 'T' }, token))).toEqual({
      status: 'error',
      code: 'ERR_INSUFFICIENT_ROLE',
      error: 'forbidden',
      message: 'requires role editor',
    });
  });

  it('refuses a missing scope: insufficient_scope / ERR_INSUFFICIENT_SCOPE', async () => {
    const token = ctx.tokens.sign({ roles: ['admin'], scope: 'articles:read' });
    expect(await refusal(ctx.send('delete', { id: '1' }, token))).toMatchObject({
      code: 'ERR_INSUFFICIENT_SCOPE',
      error: 'insufficient_scope',
    });
  });

  it('refuses too weak an authentication with the requirement: ERR_INSUFFICIENT_USER_AUTHENTICATION', async () => {
    const now = Math.floor(Date.now() / 1000);
    const weak = ctx.tokens.sign({ acr: '1', auth_time: now });
    expect(await refusal(ctx.send('purge', {}, weak))).toEqual({
      status: 'error',
      code: 'ERR_INSUFFICIENT_USER_AUTHENTICATION',
      error: 'insufficient_user_authentication',
      message: 'requires authentication context 2',
      acr_values: '2',
      max_age: 300,
    });
    const strong = ctx.tokens.sign({ acr: '2', auth_time: now });
    await expect(ctx.send('purge', {}, strong)).resolves.toEqual({ purged: true });
  });

  it('runs a handler for a good token, with its principal and its own payload', async () => {
    const token = ctx.tokens.sign({ sub: 'ed', roles: ['admin'], scope: 'articles:delete' });
    await expect(ctx.send('create', { title: 'T' }, token)).resolves.toEqual({
      title: 'T',
      author: 'ed',
    });
    await expect(ctx.send('delete', { id: '7' }, token)).resolves.toEqual({ deleted: '7' });
  });

  it('keeps two users’ concurrent messages apart', async () => {
    const alice = ctx.tokens.sign({ sub: 'alice', roles: ['user'] });
    const bob = ctx.tokens.sign({ sub: 'bob', roles: ['editor'] });
    const answers = await Promise.all([
      ctx.send('whoami', { delayMs: 150 }, alice),
      ctx.send('whoami', { delayMs: 50 }, bob),
      ctx.send('whoami', { delayMs: 100 }, alice),
    ]);
    expect(answers).toEqual([
      { sub: 'alice', roles: ['user'] },
      { sub: 'bob', roles: ['editor'] },
      { sub: 'alice', roles: ['user'] },
    ]);
  });

  it('runs an event handler for a good token, never for a refused one, and logs the refusal once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const expired = ctx.tokens.sign({ sub: 'late' }, { expiresIn: -120 });
      await ctx.emit('viewed', { id: 'refused' }, expired);
      await ctx.emit('viewed', { id: 'anonymous' });
      await ctx.emit('viewed', { id: 'ok' }, ctx.tokens.sign({ sub: 'reader' }));
      await until(
        () => viewedEvents.some((event) => event.id === 'ok') && warn.mock.calls.length >= 2,
      );
      expect(viewedEvents).toEqual([{ sub: 'reader', id: 'ok' }]);
      // A missing token is decided at once, an expired one after its signature: either order.
      const lines = warn.mock.calls.map(([line]) => String(line)).sort();
      expect(lines).toEqual([
        'refused event: ERR_TOKEN_EXPIRED token has expired',
        'refused event: ERR_TOKEN_MISSING a bearer token is required',
      ]);
      expect(lines.join('\n')).not.toContain(expired);
    } finally {
      warn.mockRestore();
      viewedEvents.length = 0;
    }
  });
});

describe('a hybrid app (HTTP and TCP microservice, inheritAppConfig) under the global guards', () => {
  let ctx: MicroserviceTestApp;

  beforeAll(async () => {
    ctx = await createMicroserviceTestApp('tcp', { hybrid: { inheritAppConfig: true } });
  });
  afterAll(() => ctx.close());

  it('guards the microservice handlers', async () => {
    expect(await refusal(ctx.send('whoami', {}))).toMatchObject({ code: 'ERR_TOKEN_MISSING' });
    const token = ctx.tokens.sign({ sub: 'hy', roles: ['editor'] });
    await expect(ctx.send('create', { title: 'H' }, token)).resolves.toEqual({
      title: 'H',
      author: 'hy',
    });
  });

  it('answers HTTP exactly as before', async () => {
    const server = ctx.httpServer;
    if (!server) throw new Error('a hybrid app has an HTTP server');
    const res = await request(server).get('/articles/me').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test-api"');
    const token = ctx.tokens.sign({ sub: 'hy' });
    await request(server)
      .get('/articles/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200, { sub: 'hy' });
  });
});

describe('a hybrid app without inheritAppConfig', () => {
  let ctx: MicroserviceTestApp;

  beforeAll(async () => {
    ctx = await createMicroserviceTestApp('tcp', { hybrid: { inheritAppConfig: false } });
  });
  afterAll(() => ctx.close());

  // Nest builds the connected microservice a fresh ApplicationConfig: no APP_GUARD, no APP_FILTER
  // reaches it, and its handlers run unguarded. The README tells hybrid apps to inherit.
  it('runs the microservice handlers unguarded (Nest’s behaviour the README warns of)', async () => {
    await expect(ctx.send('create', { title: 'open' })).resolves.toEqual({ title: 'open' });
  });
});
