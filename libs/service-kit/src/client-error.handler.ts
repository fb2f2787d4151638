import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger as Pino } from 'pino';

import { type ApiErrorBody, defaultErrorCode } from './api-error';

/** What the service answers to a request its HTTP parser refused (codes as everywhere else). */
export interface ClientErrorAnswer {
  statusCode: 400 | 408 | 413 | 431;
  error: string;
  message: string;
}

/** How long a refused client may keep its half of the connection open after our answer. */
const LINGER_MS = 2_000;

/**
 * The answer to a parser error, by the code Node's HTTP server gives it: a header block over
 * `maxHeaderSize` (16 KiB), chunk extensions over Node's limit, a request not received within the
 * request timeout, anything else the parser refused (malformed framing, bad characters, both
 * `Content-Length` and `Transfer-Encoding`...).
 */
export function clientErrorAnswer(code: string | undefined): ClientErrorAnswer {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        statusCode: 431,
        error: defaultErrorCode(431),
        message: 'the request header block is larger than 16 KiB',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        statusCode: 413,
        error: defaultErrorCode(413),
        message: 'the chunk extensions of the request body are too large',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return {
        statusCode: 408,
        error: defaultErrorCode(408),
        message: 'the request was not received in time',
      };
    default:
      return {
        statusCode: 400,
        error: defaultErrorCode(400),
        message: 'the request is not valid HTTP/1.1',
      };
  }
}

/** The raw HTTP/1.1 response: the contract's error body, and `Connection: close`. */
export function clientErrorResponse(answer: ClientErrorAnswer): string {
  const body: ApiErrorBody = {
    statusCode: answer.statusCode,
    error: answer.error,
    message: answer.message,
  };
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode]}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    '\r\n' +
    json
  );
}

/**
 * Fastify's `clientErrorHandler`, and what it must know of the requests already answered.
 *
 * Fastify's default answers without `Connection: close` and then destroys the socket: a keep-alive
 * client (Node's agent, undici, proxies) puts the socket back in its pool and its next request on
 * it dies with ECONNRESET, unanswered. This one says `Connection: close`, so the client retires the
 * socket, and ends it only after the answer is written. One log line names the status and the
 * parser's code; the request's raw bytes (`error.rawPacket`, which may hold a bearer token) are
 * never logged.
 *
 * A request can be answered before its body is read (415, 401...); Node then reads the rest of the
 * body to discard it. A parser error in that rest is not a request of its own: the client has its
 * answer, and a second, unsolicited one would be read as the answer to its next request. Such a
 * connection is closed without a word.
 */
export class ClientErrorResponder {
  /** Where to log; set once the service's logger exists. */
  logger: Pino | undefined;
  /** Per socket: a request answered while its body was still being received. */
  private readonly answeredEarly = new WeakMap<object, IncomingMessage>();
  /** Sockets already refused: their later errors (the peer's EOF, say) need no second line. */
  private readonly refused = new WeakSet<object>();

  /** For Fastify's `onResponse` hook. */
  noteAnswered(request: IncomingMessage): void {
    if (!request.complete) this.answeredEarly.set(request.socket, request);
  }

  readonly handle = (error: Error & { code?: string }, socket: Duplex): void => {
    // A reset connection has nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const inBodyOfAnswered = this.answeredEarly.get(socket)?.complete === false;
    if (inBodyOfAnswered || this.refused.has(socket) || !socket.writable) {
      socket.destroy();
      return;
    }
    this.refused.add(socket);
    const answer = clientErrorAnswer(error.code);
    if (this.logger?.isLevelEnabled('warn')) {
      this.logger.warn(
        {
          res: { statusCode: answer.statusCode },
          code: error.code ?? 'unknown',
          remoteAddress: (socket as Duplex & { remoteAddress?: string }).remoteAddress,
        },
        `request refused by the HTTP parser: ${answer.error}`,
      );
    }
    socket.end(clientErrorResponse(answer));
    // A client that never closes its side must not hold the connection.
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}
