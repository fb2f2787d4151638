import { DataSource, type DataSourceOptions, type ObjectLiteral } from 'typeorm';

type EscapeQuery = (
  sql: string,
  parameters: ObjectLiteral,
  nativeParameters: ObjectLiteral,
) => [string, unknown[]];

/** Key of the PostgreSQL advisory lock held while migrations run ("jwt-" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6a77742d;

/**
 * The DataSource of auth-api (TypeOrmModule's `dataSourceFactory`). On PostgreSQL its migrations
 * run under an advisory lock; on SQLite it binds integer parameters instead of letting TypeORM
 * write them into the SQL text.
 *
 * Why the lock: replicas deployed together start on the same empty database at once, and
 * TypeORM's migration runner takes no lock of its own. Two runners would both find a migration
 * pending, both CREATE the same tables, and the loser would fail to start. Under the lock the
 * second runner waits, then finds nothing left to run.
 *
 * Why the integer binding: TypeORM's SQLite drivers inline every number (`SET "generation" = 4, "last_used_at" =
 * 1795882910821 … WHERE "generation" = 3`), so nearly every INSERT and UPDATE is a statement never
 * seen before. Each one is compiled by SQLite, pushes an older one out of TypeORM's 100-entry
 * statement cache, and keeps its native memory until V8 happens to collect the better-sqlite3
 * wrapper (a major GC): under a refresh load, tens of MB of malloc heap churned between GCs and
 * left fragmented. Bound as parameters, the same few statements are prepared once and reused.
 * A safe integer is bound as a BigInt, which better-sqlite3 binds as SQLite's INTEGER: exactly
 * what the inlined literal was. Other numbers are left to TypeORM (inlined, as before).
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  const dataSource = new DataSource(options);
  if (options.type === 'better-sqlite3') bindIntegerParameters(dataSource);
  if (options.type === 'postgres') runMigrationsOneInstanceAtATime(dataSource);
  return dataSource;
}

function runMigrationsOneInstanceAtATime(dataSource: DataSource): void {
  const runMigrations = dataSource.runMigrations.bind(dataSource);
  dataSource.runMigrations = async (options) => {
    // A session lock, held on one connection of the pool while the migrations use others.
    const lockHolder = dataSource.createQueryRunner();
    await lockHolder.connect();
    try {
      await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      return await runMigrations(options);
    } finally {
      await lockHolder
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
      await lockHolder.release();
    }
  };
}

function bindIntegerParameters(dataSource: DataSource): void {
  const driver = dataSource.driver as unknown as { escapeQueryWithParameters: EscapeQuery };
  const escape = driver.escapeQueryWithParameters.bind(driver);
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) =>
    escape(sql, parameters && integersAsBigInts(parameters), nativeParameters);
}

function integersAsBigInts(parameters: ObjectLiteral): ObjectLiteral {
  const entries = Object.entries(parameters);
  if (!entries.some(([, value]) => Number.isSafeInteger(value))) return parameters;
  return Object.fromEntries(entries.map(([key, value]) => [key, sqliteBindable(value)]));
}

/**
 * A value as it should reach better-sqlite3, which binds every JS number as a REAL: a safe integer
 * as a BigInt, bound as SQLite's INTEGER; anything else unchanged.
 */
export function sqliteBindable(value: unknown): unknown {
  return Number.isSafeInteger(value) ? BigInt(value as number) : value;
}
