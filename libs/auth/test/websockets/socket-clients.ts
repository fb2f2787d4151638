import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

import type { AuthSocketError } from '../../src';
import type { SocketTransport } from './gateway-test-app';

/** What a refused handshake told the client. */
export interface Refusal {
  /** socket.io: `connect_error`'s `data.code`; ws: none (an HTTP answer). */
  code?: string;
  /** socket.io: `data.error`; ws: the JSON body's `error`. */
  error: string;
  message: string;
  /** ws: the HTTP status and `WWW-Authenticate` of the refused upgrade. */
  status?: number;
  wwwAuthenticate?: string;
  /** The server nonce a DPoP proof must carry: ws's `DPoP-Nonce`, socket.io's `data.dpop_nonce`. */
  dpopNonce?: string;
}

export interface Ending {
  exception?: AuthSocketError;
  /** ws only: the close code and reason. */
  code?: number;
  reason?: string;
}

export interface Connection {
  /** Sends `event`; resolves with the reply's data, or with the `exception` it caused. */
  send(event: string, data?: unknown): Promise<{ data?: unknown; exception?: AuthSocketError }>;
  /** Resolves when the server ends the connection. */
  ended: Promise<Ending>;
  close(): void;
}

export interface ConnectOptions {
  token?: string;
  /**
   * A DPoP proof: the token goes as `DPoP` (ws: `Authorization: DPoP` and a `DPoP` header;
   * socket.io: `auth: { token, dpop }`).
   */
  dpop?: string;
  /** The `Authorization` value exactly (ws: the header, overriding `token`; socket.io: `auth.authorization`). */
  authorization?: string;
  /** ws: the path to connect to (default `/`). */
  path?: string;
  /** A query string to add to the URL (the library must never read a token there). */
  query?: Record<string, string>;
}

export function connect(
  transport: SocketTransport,
  url: string,
  options: ConnectOptions = {},
): Promise<Connection> {
  return transport === 'ws' ? connectWs(url, options) : connectIo(url, options);
}

function connectIo(url: string, options: ConnectOptions): Promise<Connection> {
  const { token, query, dpop, authorization } = options;
  const socket: Socket = io(url, {
    auth: {
      ...(token === undefined ? {} : { token }),
      ...(authorization === undefined ? {} : { authorization }),
      ...(dpop === undefined ? {} : { dpop }),
    },
    query,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  let lastException: AuthSocketError | undefined;
  socket.on('exception', (payload: AuthSocketError) => (lastException = payload));
  const ended = new Promise<Ending>((resolve) =>
    socket.once('disconnect', () => resolve({ exception: lastException })),
  );
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({
        send: (event, data) =>
          new Promise((answer) => {
            const onException = (exception: AuthSocketError) => {
              socket.off(event, onData);
              answer({ exception });
            };
            const onData = (reply: unknown) => {
              socket.off('exception', onException);
              answer({ data: reply });
            };
            socket.once(event, onData);
            socket.once('exception', onException);
            socket.emit(event, data);
          }),
        ended,
        close: () => socket.disconnect(),
      }),
    );
    socket.once('connect_error', (error: Error & { data?: AuthSocketError }) => {
      socket.close();
      reject({
        code: error.data?.code,
        error: error.data?.error ?? 'none',
        message: error.message,
        ...(error.data?.dpop_nonce ? { dpopNonce: error.data.dpop_nonce } : {}),
      } satisfies Refusal);
    });
  });
}

function connectWs(url: string, options: ConnectOptions): Promise<Connection> {
  const { token, query, dpop, path } = options;
  const target = new URL(path ?? '/', url.replace(/^http/, 'ws'));
  for (const [name, value] of Object.entries(query ?? {})) target.searchParams.set(name, value);
  const headers: Record<string, string> = {};
  if (token !== undefined)
    headers.authorization = `${dpop === undefined ? 'Bearer' : 'DPoP'} ${token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  if (dpop !== undefined) headers.dpop = dpop;
  const socket = new WebSocket(target, { headers });
  let lastException: AuthSocketError | undefined;
  const listeners = new Set<(message: { event: string; data: unknown }) => void>();
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { event: string; data: unknown };
    if (message.event === 'exception') lastException = message.data as AuthSocketError;
    for (const listener of listeners) listener(message);
  });
  const ended = new Promise<Ending>((resolve) =>
    socket.once('close', (code, reason) =>
      resolve({ exception: lastException, code, reason: reason.toString() }),
    ),
  );
  return new Promise((resolve, reject) => {
    socket.once('open', () =>
      resolve({
        send: (event, data) =>
          new Promise((answer) => {
            const listener = (message: { event: string; data: unknown }) => {
              if (message.event !== event && message.event !== 'exception') return;
              listeners.delete(listener);
              answer(
                message.event === 'exception'
                  ? { exception: message.data as AuthSocketError }
                  : { data: message.data },
              );
            };
            listeners.add(listener);
            socket.send(JSON.stringify({ event, data }));
          }),
        ended,
        close: () => socket.close(),
      }),
    );
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        const parsed = JSON.parse(body) as { error: string; message: string };
        reject({
          error: parsed.error,
          message: parsed.message,
          status: response.statusCode,
          wwwAuthenticate: response.headers['www-authenticate'],
          ...(typeof response.headers['dpop-nonce'] === 'string'
            ? { dpopNonce: response.headers['dpop-nonce'] }
            : {}),
        } satisfies Refusal);
      });
    });
    socket.once('error', () => undefined);
  });
}
