import { EventEmitter } from 'node:events';

import {
  mercuriusSubscriptionContext,
  mercuriusSubscriptionRequestOf,
} from './mercurius-subscription.context';

class FakeSocket extends EventEmitter {
  closed?: { code: number; reason: string };
  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.emit('close');
  }
}

/** What Mercurius hands a subscription resolver: its context spread, plus `reply.request`. */
function subscriptionContext(socket: FakeSocket, authorization?: string) {
  return {
    ...mercuriusSubscriptionContext(socket),
    reply: { request: { headers: authorization ? { authorization } : {} } },
  };
}

describe('mercuriusSubscriptionRequestOf', () => {
  it('reads nothing from a context without the socket (fails closed)', () => {
    expect(mercuriusSubscriptionRequestOf({ reply: { request: { headers: {} } } })).toBeUndefined();
    expect(mercuriusSubscriptionRequestOf(null)).toBeUndefined();
    expect(mercuriusSubscriptionRequestOf({ ...mercuriusSubscriptionContext({}) })).toBeUndefined();
  });

  it('gives every subscription of one connection the same request, with its token', () => {
    const socket = new FakeSocket();
    const first = mercuriusSubscriptionRequestOf(subscriptionContext(socket, 'Bearer a'));
    const second = mercuriusSubscriptionRequestOf(subscriptionContext(socket, 'Bearer a'));
    expect(first).toBe(second);
    expect(first?.headers).toEqual({ authorization: 'Bearer a' });
  });

  it('keeps two connections apart', () => {
    const a = mercuriusSubscriptionRequestOf(subscriptionContext(new FakeSocket(), 'Bearer a'));
    const b = mercuriusSubscriptionRequestOf(subscriptionContext(new FakeSocket(), 'Bearer b'));
    a!.user = { sub: 'alice' };
    expect(b?.user).toBeUndefined();
    expect(b?.headers).toEqual({ authorization: 'Bearer b' });
  });

  it('closes the connection with 4401 ERR_TOKEN_EXPIRED once the principal has expired', () => {
    const socket = new FakeSocket();
    const request = mercuriusSubscriptionRequestOf(subscriptionContext(socket, 'Bearer a'));
    request!.user = { sub: 'alice', expiresAt: Math.floor(Date.now() / 1000) - 1 };
    expect(socket.closed).toEqual({ code: 4401, reason: 'ERR_TOKEN_EXPIRED' });
  });
});
