// The live half of the tour (`npm run demo`): resource-api's GraphQL subscription followed over
// graphql-ws, as a browser would, with the token in `connectionParams` (never in the URL).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * Subscribes to `articleCreated` and resolves once the server acknowledged the connection;
 * `next()` then waits (up to 10 s) for the first article to arrive.
 */
export async function followArticles(resourceUrl, token) {
  const url = `${resourceUrl.replace(/^http/, 'ws')}/graphql`;
  let connected;
  const ready = new Promise((resolve, reject) => {
    connected = { resolve, reject };
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    onNonLazyError: (error) => connected.reject(error),
    on: { connected: () => connected.resolve() },
  });
  const first = new Promise((resolve, reject) => {
    client.subscribe(
      { query: 'subscription { articleCreated { id title authorId } }' },
      {
        next: (result) =>
          result.errors ? reject(new Error(result.errors[0].message)) : resolve(result.data),
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => reject(new Error('the subscription ended before an article arrived')),
      },
    );
  });
  await ready;
  return {
    next: () =>
      Promise.race([
        first,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('no article within 10 s')), 10_000).unref(),
        ),
      ]),
    close: () => client.dispose(),
  };
}

/**
 * Connects to resource-api's socket.io feed with `token` in socket.io's `auth` and follows it;
 * `next()` waits (up to 10 s) for the next `articleCreated` event.
 */
export async function followOverSocketIo(resourceUrl, token) {
  const { io } = await import('socket.io-client');
  const socket = io(resourceUrl, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (error) =>
      reject(new Error(`${error.message} (${error.data?.code ?? 'no code'})`)),
    );
  });
  const following = new Promise((resolve, reject) => {
    socket.once('following', resolve);
    socket.once('exception', (refusal) => reject(new Error(refusal.code)));
  });
  socket.emit('follow');
  await following;
  const first = new Promise((resolve) => socket.once('articleCreated', resolve));
  return {
    next: () =>
      Promise.race([
        first,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('no article within 10 s')), 10_000).unref(),
        ),
      ]),
    close: () => socket.disconnect(),
  };
}
