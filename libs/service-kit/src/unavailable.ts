/** Network failures of a connection to a dependency (database, cache). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * PostgreSQL SQLSTATEs that mean "the server is not there right now": class 08 (connection
 * exception), 53300 (too many connections), 57P01–57P03 (shut down, crashed, still starting).
 * SQLite's busy and locked codes mean the same for the embedded file.
 */
const UNAVAILABLE_CODE = /^(08[0-9A-Z]{3}|53300|57P0[1-3]|SQLITE_BUSY.*|SQLITE_LOCKED.*)$/;

/** The messages node-postgres and its pool give to connection failures, which carry no code. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Connection is closed|Stream isn't writeable)/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/**
 * True when an error says a dependency is unreachable rather than that the request or the code
 * is wrong: the answer is then 503 (try again later), not 500. Looks through TypeORM's
 * `driverError` and `cause` chains.
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { code, message, driverError, cause } = error as ErrorLike;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_CODE.test(code)))
    return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  return (
    isDependencyUnavailable(driverError, depth + 1) || isDependencyUnavailable(cause, depth + 1)
  );
}
