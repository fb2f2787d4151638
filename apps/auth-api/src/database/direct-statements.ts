import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityTarget, type ObjectLiteral, QueryFailedError } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

import { sqliteBindable } from './data-source.factory';

/** The part of a better-sqlite3 statement used here. */
interface SqliteStatement {
  get(...parameters: unknown[]): Record<string, unknown> | undefined;
  run(...parameters: unknown[]): { changes: number };
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** An entity's table, columns and statements, resolved once from TypeORM's metadata. */
interface EntityShape {
  columns: ColumnMetadata[];
  insertSql: string;
  selectList: string;
  table: string;
  /** `SELECT … WHERE <column> = ? LIMIT 1`, by property, made on first use. */
  selectBy: Map<string, string>;
}

/**
 * The few statements on the login and refresh paths, run without TypeORM's query builder.
 *
 * Why: building a statement with the query builder (aliases, property-to-column rewriting,
 * escaping, the entity-to-row transformers) costs far more than running it. Measured on a login
 * (five statements), the builder was about a quarter of the event loop's time, as much as
 * SQLite itself. Here each statement's SQL is written once, from the same entity metadata
 * TypeORM uses, and values go through the driver's own `preparePersistentValue` /
 * `prepareHydratedValue`, so rows read and written here are exactly what the repositories read
 * and write (a test holds both to that).
 *
 * On SQLite the statements are prepared once on the driver's connection and run synchronously
 * (better-sqlite3 is synchronous: no other request's statement can come in between). On
 * PostgreSQL they go through a TypeORM query runner, so pool, timeouts and errors are the same as
 * everywhere else.
 */
@Injectable()
export class DirectStatements {
  private readonly shapes = new Map<EntityTarget<ObjectLiteral>, EntityShape>();
  private readonly prepared = new Map<string, SqliteStatement>();
  private readonly sqlite: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.sqlite = dataSource.options.type === 'better-sqlite3';
  }

  /** INSERT of every column of `entity` (an object with all of them set). */
  async insert<T extends ObjectLiteral>(target: EntityTarget<T>, entity: T): Promise<void> {
    const shape = this.shape(target);
    const driver = this.dataSource.driver;
    const values = shape.columns.map((column) =>
      driver.preparePersistentValue(column.getEntityValue(entity), column),
    );
    await this.execute(shape.insertSql, values);
  }

  /** The row whose `property` equals `value`, as the entity the repository would return; or null. */
  async findOneBy<T extends ObjectLiteral>(
    target: EntityTarget<T>,
    property: keyof T & string,
    value: unknown,
  ): Promise<T | null> {
    const shape = this.shape(target);
    const sql = this.selectSql(shape, property);
    const row = this.sqlite
      ? this.onSqlite(sql, [value], (statement, bound) => statement.get(...bound))
      : ((await this.onPostgres(sql, [value])).records as Array<Record<string, unknown>>)[0];
    if (!row) return null;
    const entity = this.dataSource.getMetadata(target).create() as T;
    for (const c of shape.columns)
      c.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(row[c.databaseName], c));
    return entity;
  }

  /**
   * Runs an UPDATE or DELETE written with `?` placeholders (numbered for PostgreSQL here) and
   * returns how many rows it changed.
   */
  async execute(sql: string, parameters: unknown[]): Promise<number> {
    if (this.sqlite)
      return this.onSqlite(sql, parameters, (statement, bound) => statement.run(...bound).changes);
    return (await this.onPostgres(sql, parameters)).affected ?? 0;
  }

  /** Runs `use` on the statement prepared once for `sql`; a failure is a `QueryFailedError`, as with TypeORM. */
  private onSqlite<R>(
    sql: string,
    parameters: unknown[],
    use: (statement: SqliteStatement, bound: unknown[]) => R,
  ): R {
    try {
      let statement = this.prepared.get(sql);
      if (!statement) {
        const connection = (
          this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }
        ).databaseConnection;
        statement = connection.prepare(sql);
        this.prepared.set(sql, statement);
      }
      return use(statement, parameters.map(sqliteBindable));
    } catch (error) {
      throw new QueryFailedError(sql, parameters, error as Error);
    }
  }

  private async onPostgres(sql: string, parameters: unknown[]) {
    let index = 0;
    const numbered = sql.replace(/\?/g, () => `$${++index}`);
    const runner = this.dataSource.createQueryRunner('master');
    try {
      return await runner.query(numbered, parameters, true);
    } finally {
      await runner.release();
    }
  }

  private selectSql(shape: EntityShape, property: string): string {
    let sql = shape.selectBy.get(property);
    if (!sql) {
      const column = shape.columns.find((c) => c.propertyName === property);
      if (!column) throw new Error(`${shape.table} has no column for ${property}`);
      sql = `SELECT ${shape.selectList} FROM ${shape.table} WHERE ${this.escape(column.databaseName)} = ? LIMIT 1`;
      shape.selectBy.set(property, sql);
    }
    return sql;
  }

  private shape(target: EntityTarget<ObjectLiteral>): EntityShape {
    let shape = this.shapes.get(target);
    if (!shape) {
      const metadata = this.dataSource.getMetadata(target);
      const columns = metadata.columns;
      const names = columns.map((column) => this.escape(column.databaseName)).join(', ');
      const table = this.escape(metadata.tableName);
      shape = {
        columns,
        table,
        selectList: names,
        insertSql: `INSERT INTO ${table} (${names}) VALUES (${columns.map(() => '?').join(', ')})`,
        selectBy: new Map(),
      };
      this.shapes.set(target, shape);
    }
    return shape;
  }

  private escape(name: string): string {
    return this.dataSource.driver.escape(name);
  }
}
