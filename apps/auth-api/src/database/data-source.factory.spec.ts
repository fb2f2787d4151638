import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

import { createDataSource } from './data-source.factory';
import { dataSourceOptions } from './data-source.options';
import { SessionEntity, UserEntity } from './entities';

interface SqliteConnection {
  prepare(sql: string): unknown;
}

describe(createDataSource.name, () => {
  let dataSource: DataSource;
  const prepared: string[] = [];
  const userId = randomUUID();

  beforeAll(async () => {
    dataSource = await createDataSource(
      dataSourceOptions({ databaseUrl: undefined, sqlitePath: ':memory:' }),
    ).initialize();
    const now = Date.now();
    await dataSource.getRepository(UserEntity).insert({
      id: userId,
      email: 'a@example.test',
      passwordHash: 'x',
      roles: ['user'],
      createdAt: now,
      updatedAt: now,
    });
    const connection = (dataSource.driver as unknown as { databaseConnection: SqliteConnection })
      .databaseConnection;
    const prepare = connection.prepare.bind(connection);
    connection.prepare = (sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    };
  });

  afterAll(() => dataSource.destroy());

  function session(now: number): SessionEntity {
    return dataSource.getRepository(SessionEntity).create({
      id: randomUUID(),
      userId,
      salt: 'salt',
      generation: 0,
      rotations: [],
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 86_400_000,
      revokedAt: null,
      revokedReason: null,
      userAgent: null,
      ip: null,
    });
  }

  it('prepares each statement once however many distinct numbers go through it (SQLite)', async () => {
    const sessions = dataSource.getRepository(SessionEntity);
    const start = Date.now();
    const { id } = session(start);
    await sessions.insert({ ...session(start), id });
    prepared.length = 0;

    // The statements of a refresh chain and of logins, 500 times, with a new timestamp and
    // generation every time (as SessionsService issues them).
    for (let generation = 0; generation < 500; generation++) {
      const now = start + generation;
      await sessions.insert(session(now));
      const result = await sessions
        .createQueryBuilder()
        .update(SessionEntity)
        .set({
          generation: generation + 1,
          rotations: [{ generation, rotatedAt: now }],
          lastUsedAt: now,
        })
        .where('id = :id AND generation = :generation AND revoked_at IS NULL', { id, generation })
        .execute();
      expect(result.affected).toBe(1);
      await sessions.update({ id }, { lastUsedAt: now + 1 });
    }

    // Without the binding, every one of these 1,500 statements would be new SQL text.
    expect(new Set(prepared).size).toBeLessThanOrEqual(3);
    expect(prepared.length).toBeLessThanOrEqual(3);
  });

  it('stores bound integers as SQLite INTEGER, as the inlined literals were, and reads them back as numbers', async () => {
    const sessions = dataSource.getRepository(SessionEntity);
    const now = 1_795_882_910_821;
    const row = session(now);
    await sessions.insert(row);
    await sessions.update({ id: row.id }, { generation: 7 });

    const [types] = await dataSource.query(
      'SELECT typeof(generation) AS generation, typeof(created_at) AS created, typeof(expires_at) AS expires FROM sessions WHERE id = ?',
      [row.id],
    );
    expect(types).toEqual({ generation: 'integer', created: 'integer', expires: 'integer' });
    const read = await sessions.findOneByOrFail({ id: row.id, generation: 7 });
    expect(read).toMatchObject({ generation: 7, createdAt: now, expiresAt: now + 86_400_000 });
    await expect(sessions.countBy({ id: row.id, generation: 6 })).resolves.toBe(0);
  });
});
