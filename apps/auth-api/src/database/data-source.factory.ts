import { DataSource, type DataSourceOptions, type ObjectLiteral } from 'typeorm';

type EscapeQuery = (
  sql: string,
  parameters: ObjectLiteral,
  nativeParameters: ObjectLiteral,
) => [string, unknown[]];

/**
 * The DataSource of auth-api (TypeOrmModule's `dataSourceFactory`). On SQLite it binds integer
 * parameters instead of letting TypeORM write them into the SQL text.
 *
 * Why: TypeORM's SQLite drivers inline every number (`SET "generation" = 4, "last_used_at" =
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
  return dataSource;
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
  return Object.fromEntries(
    entries.map(([key, value]) => [key, Number.isSafeInteger(value) ? BigInt(value) : value]),
  );
}
