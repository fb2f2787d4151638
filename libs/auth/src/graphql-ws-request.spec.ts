import { EventEmitter } from 'node:events';

import { graphqlWsRequestOf, isGraphqlWsContext } from './graphql-ws-request';

class FakeSocket extends EventEmitter {
  closed: Array<[number, string]> = [];
  close(code: number, reason: string): void {
    this.closed.push([code, reason]);
  }
}

function wsContext(connectionParams?: Record<string, unknown>) {
  return { connectionParams, extra: { socket: new FakeSocket() } };
}

describe(graphqlWsRequestOf.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('reads only a string connectionParams.authorization, one request per connection', () => {
    const context = wsContext({ authorization: 'Bearer a' });
    expect(graphqlWsRequestOf(context)).toBe(graphqlWsRequestOf(context));
    expect(graphqlWsRequestOf(context).headers).toEqual({ authorization: 'Bearer a' });
    expect(graphqlWsRequestOf(wsContext({ authorization: ['Bearer a'] })).headers).toEqual({});
    expect(graphqlWsRequestOf(wsContext()).headers).toEqual({});
  });

  it('closes the socket with 4401 ERR_TOKEN_EXPIRED at exp, and only then', () => {
    const context = wsContext({ authorization: 'Bearer a' });
    graphqlWsRequestOf(context).user = { sub: 'u1', expiresAt: Date.now() / 1000 + 30 };
    jest.advanceTimersByTime(29_999);
    expect(context.extra.socket.closed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(context.extra.socket.closed).toEqual([[4401, 'ERR_TOKEN_EXPIRED']]);
  });

  it('waits past the longest setTimeout for a long-lived token', () => {
    const context = wsContext();
    const days40 = 40 * 24 * 3600;
    graphqlWsRequestOf(context).user = { expiresAt: Date.now() / 1000 + days40 };
    jest.advanceTimersByTime(30 * 24 * 3600 * 1000);
    expect(context.extra.socket.closed).toEqual([]);
    jest.advanceTimersByTime(10 * 24 * 3600 * 1000);
    expect(context.extra.socket.closed).toHaveLength(1);
  });

  it('forgets the timer when the socket closes first', () => {
    const context = wsContext();
    graphqlWsRequestOf(context).user = { expiresAt: Date.now() / 1000 + 5 };
    context.extra.socket.emit('close');
    jest.advanceTimersByTime(10_000);
    expect(context.extra.socket.closed).toEqual([]);
  });

  it('recognises only a context with a socket that can be closed', () => {
    expect(isGraphqlWsContext(wsContext())).toBe(true);
    expect(isGraphqlWsContext({ headers: {} })).toBe(false);
    expect(isGraphqlWsContext(null)).toBe(false);
  });
});
