import type { ExecutionContext } from '@nestjs/common';

import { describeAuthErrorForSocket } from './auth-error.response';
import { AuthError } from './auth.errors';
import { closeSocket } from './socket-request';

/**
 * Refusals of one message; any other means the connection's token itself has gone bad. A step-up
 * refusal is of the message: the token still passes every message that asks for less.
 */
const MESSAGE_ONLY: ReadonlySet<string> = new Set([
  'ERR_TOKEN_MISSING',
  'ERR_INSUFFICIENT_ROLE',
  'ERR_INSUFFICIENT_SCOPE',
  'ERR_INSUFFICIENT_USER_AUTHENTICATION',
]);

interface WsExceptionConstructor {
  new (error: object): Error;
}

/**
 * Runs a guard's decision for a gateway message, so that its refusal reaches the client in
 * Nest's own idiom: an `exception` event (socket.io) or `{ event: 'exception', data }` message
 * (`ws`) whose payload is `describeAuthErrorForSocket`'s. Nest applies no global exception
 * filter to gateways, so the library's filter cannot do it; a `WsException` is what Nest's
 * gateway exception handler sends as it is. A token gone bad (expired, revoked, …) also closes
 * the connection once the message is out: nothing it sends could pass any more.
 */
export function decideForSocket<T extends boolean | Promise<boolean>>(
  context: ExecutionContext,
  decide: () => T,
): T {
  try {
    const decision = decide();
    return (
      decision instanceof Promise
        ? decision.catch((error: unknown) => {
            throw socketException(context, error);
          })
        : decision
    ) as T;
  } catch (error) {
    throw socketException(context, error);
  }
}

function socketException(context: ExecutionContext, error: unknown): unknown {
  if (!(error instanceof AuthError)) return error;
  const client = context.switchToWs().getClient<object>();
  if (!MESSAGE_ONLY.has(error.code)) setImmediate(() => closeSocket(client, error));
  // Loaded only here, on a gateway's message: an app with gateways has @nestjs/websockets, and
  // an HTTP-only app never loads it (it is an optional peer).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { WsException } = require('@nestjs/websockets') as { WsException: WsExceptionConstructor };
  return new WsException(describeAuthErrorForSocket(error));
}

/** True for a gateway message's context. */
export function isSocketMessage(context: ExecutionContext): boolean {
  return typeof context.getType === 'function' && context.getType<string>() === 'ws';
}
