import 'reflect-metadata';

import type { ExecutionContext } from '@nestjs/common';

import { isRpcEvent, rpcRequestOf } from './rpc-request';

function contextOf(rpcContext: unknown, handler: () => void = () => undefined): ExecutionContext {
  return {
    getHandler: () => handler,
    switchToRpc: () => ({ getContext: () => rpcContext }),
  } as unknown as ExecutionContext;
}

describe(rpcRequestOf.name, () => {
  it('reads TCP/Redis packet metadata', () => {
    const ctx = { getMetadata: () => ({ authorization: 'Bearer a' }) };
    expect(rpcRequestOf(contextOf(ctx)).headers).toEqual({ authorization: 'Bearer a' });
  });

  it('reads the NATS header case-insensitively', () => {
    const ctx = {
      getHeaders: () => ({
        get: (name: string, match?: number) => (match === 2 ? `Bearer ${name}` : ''),
      }),
    };
    expect(rpcRequestOf(contextOf(ctx)).headers).toEqual({ authorization: 'Bearer authorization' });
  });

  it('gives an unknown context no token', () => {
    expect(rpcRequestOf(contextOf({ getPacket: () => ({}) })).headers).toEqual({});
    expect(rpcRequestOf(contextOf(undefined))).toEqual({});
  });

  it('keeps one request per message context, and a principal apart from another message’s', () => {
    const one = { getMetadata: () => undefined };
    const two = { getMetadata: () => undefined };
    rpcRequestOf(contextOf(one)).user = 'alice';
    expect(rpcRequestOf(contextOf(one)).user).toBe('alice');
    expect(rpcRequestOf(contextOf(two)).user).toBeUndefined();
  });

  it('remembers whether the handler is an @EventPattern', () => {
    const handler = () => undefined;
    Reflect.defineMetadata('microservices:handler_type', 2, handler);
    const event = { getMetadata: () => undefined };
    const message = { getMetadata: () => undefined };
    rpcRequestOf(contextOf(event, handler));
    rpcRequestOf(contextOf(message));
    expect([isRpcEvent(event), isRpcEvent(message), isRpcEvent({})]).toEqual([true, false, false]);
  });
});
