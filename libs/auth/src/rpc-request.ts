import type { ExecutionContext } from '@nestjs/common';

import type { AuthRequest } from './auth-request';

/** `@nestjs/microservices`' `PATTERN_HANDLER_METADATA` and `PatternHandler.EVENT`. */
const HANDLER_TYPE_METADATA = 'microservices:handler_type';
const EVENT_HANDLER = 2;
/** `@nats-io/nats-core`'s `Match.IgnoreCase`: NATS header names are case-sensitive by default. */
const NATS_IGNORE_CASE = 2;

/** The per-message request, plus what the exception filter needs to know about the message. */
interface RpcAuthRequest extends AuthRequest {
  readonly event: boolean;
}

/** The transport contexts of `@nestjs/microservices`, by the one accessor that tells them apart. */
interface RpcContextShape {
  /** TCP and Redis (`TcpContext`, `RedisContext`): the packet's out-of-band metadata. */
  getMetadata?: () => Readonly<Record<string, unknown>> | undefined;
  /** NATS (`NatsContext`): the message's `MsgHdrs`. */
  getHeaders?: () => { get(name: string, match?: number): string } | undefined;
}

const requests = new WeakMap<object, RpcAuthRequest>();

/**
 * The request of one microservice message. Every transport builds a fresh context object
 * (`TcpContext`, `NatsContext`, …) per message and hands that same object to the guards and to the
 * handler's parameters, so a request keyed by it holds one message's principal: two messages in
 * flight never share one. The token is read where the transport carries metadata out of the payload,
 * so the handler's `@Payload()` stays the application's own:
 *
 * - TCP and Redis: `packet.metadata.authorization`, set on the client with
 *   `ClientProxy.setOnDispatchHook` (see {@link bearerDispatchHook}) and read with `getMetadata()`;
 * - NATS: the message header `authorization` (any case), set with `NatsRecordBuilder.setHeaders`.
 *
 * Anything else yields no token: refused unless the handler is `@Public()`. Structural, so the
 * library needs nothing from `@nestjs/microservices`.
 */
export function rpcRequestOf(context: ExecutionContext): AuthRequest {
  const rpcContext = context.switchToRpc().getContext<unknown>();
  if (typeof rpcContext !== 'object' || rpcContext === null) return {};
  const known = requests.get(rpcContext);
  if (known) return known;
  const authorization = authorizationOf(rpcContext as RpcContextShape);
  const handlerType: unknown = Reflect.getMetadata(HANDLER_TYPE_METADATA, context.getHandler());
  const request: RpcAuthRequest = {
    headers: authorization ? { authorization } : {},
    event: handlerType === EVENT_HANDLER,
  };
  requests.set(rpcContext, request);
  return request;
}

/** True when the RPC context (an exception filter's `host.getArgByIndex(1)`) carries an event. */
export function isRpcEvent(rpcContext: unknown): boolean {
  if (typeof rpcContext !== 'object' || rpcContext === null) return false;
  return requests.get(rpcContext)?.event ?? false;
}

function authorizationOf(rpcContext: RpcContextShape): string | undefined {
  if (typeof rpcContext.getMetadata === 'function') {
    const value = rpcContext.getMetadata()?.authorization;
    return typeof value === 'string' ? value : undefined;
  }
  if (typeof rpcContext.getHeaders === 'function') {
    const headers = rpcContext.getHeaders();
    if (typeof headers?.get !== 'function') return undefined;
    return headers.get('authorization', NATS_IGNORE_CASE) || undefined;
  }
  return undefined;
}
