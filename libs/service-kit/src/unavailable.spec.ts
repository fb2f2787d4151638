import { isDependencyUnavailable } from './unavailable';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe(isDependencyUnavailable.name, () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    [
      'a connection lost mid-query (node-postgres)',
      new Error('Connection terminated unexpectedly'),
    ],
    ['the pool giving up', new Error('timeout exceeded when trying to connect')],
    ['a query timeout', new Error('Query read timeout')],
    [
      'PostgreSQL shutting down (57P01)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['PostgreSQL starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    ['a busy SQLite file', withCode('SQLITE_BUSY')],
    [
      'a TypeORM QueryFailedError around a lost connection',
      Object.assign(new Error('query failed'), { driverError: withCode('57P01') }),
    ],
    [
      'an error caused by a refused connection',
      new Error('outer', { cause: withCode('ECONNREFUSED') }),
    ],
  ])('recognises %s', (_name, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it.each([
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601')],
    ['a SQLite constraint', withCode('SQLITE_CONSTRAINT_UNIQUE')],
    ['a non-error', 'ECONNREFUSED'],
    ['null', null],
  ])('does not mistake %s for an outage', (_name, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
  });

  it('stops on cyclic causes', () => {
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    expect(isDependencyUnavailable(error)).toBe(false);
  });
});
