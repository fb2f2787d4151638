import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DataSource, QueryFailedError } from 'typeorm';

import { createDataSource } from '../src/database/data-source.factory';
import { dataSourceOptions } from '../src/database/data-source.options';
import { DirectStatements } from '../src/database/direct-statements';
import { AuditEventEntity, SessionEntity, UserEntity } from '../src/database/entities';
import { createPostgresDatabase, TEST_DATABASE_URL } from './harness';

/**
 * The login and refresh paths read and write through {@link DirectStatements} instead of the
 * repositories. Whatever one writes, the other must read back identically (JSON columns,
 * booleans, BIGINT times that PostgreSQL returns as strings, NULLs), on SQLite and PostgreSQL.
 */
describe(`DirectStatements (${TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'direct-statements-'));
  let dataSource: DataSource;
  let direct: DirectStatements;
  let dropDatabase: (() => Promise<void>) | undefined;
  const now = 1_795_882_910_821; // past 2^31 ms, so an INT column would not have held it

  beforeAll(async () => {
    const postgres = TEST_DATABASE_URL
      ? await createPostgresDatabase(TEST_DATABASE_URL)
      : undefined;
    dropDatabase = postgres?.drop;
    dataSource = await createDataSource(
      dataSourceOptions({ databaseUrl: postgres?.url, sqlitePath: join(dataDir, 'direct.sqlite') }),
    ).initialize();
    direct = new DirectStatements(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function user(overrides: Partial<UserEntity> = {}): UserEntity {
    return dataSource.getRepository(UserEntity).create({
      id: randomUUID(),
      email: `${randomUUID()}@example.test`,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
      roles: ['user', 'admin'],
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      emailVerified: false,
      mfaFailures: 0,
      mfaLockedUntil: null,
      createdAt: now,
      updatedAt: now + 1,
      ...overrides,
    });
  }

  it.each([
    ['an enabled, unlocked user', {}],
    ['a disabled, locked user', { disabled: true, failedLogins: 5, lockedUntil: now + 60_000 }],
  ])('reads %s exactly as the repository does', async (_, overrides) => {
    const written = user(overrides);
    await dataSource.getRepository(UserEntity).insert(written);
    const byRepository = await dataSource
      .getRepository(UserEntity)
      .findOneBy({ email: written.email });
    const byDirect = await direct.findOneBy(UserEntity, 'email', written.email);
    expect(byDirect).toBeInstanceOf(UserEntity);
    expect(byDirect).toEqual(byRepository);
    expect(byDirect).toEqual(written);
  });

  it('writes a session and an audit event that the repositories read back unchanged', async () => {
    const owner = user();
    await dataSource.getRepository(UserEntity).insert(owner);
    const session = dataSource.getRepository(SessionEntity).create({
      id: randomUUID(),
      userId: owner.id,
      salt: 'c2FsdA',
      generation: 0,
      rotations: [{ generation: 3, rotatedAt: now }],
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 30 * 86_400_000,
      revokedAt: null,
      revokedReason: null,
      userAgent: 'Mozilla/5.0 "quoted" \'and\' ; DROP TABLE sessions; --',
      ip: null,
      clientId: 'app_client',
      parentId: randomUUID(),
      scope: 'openid email',
      authTime: now - 1000,
      amr: 'pwd otp mfa',
      dpopJkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
    });
    await direct.insert(SessionEntity, session);
    expect(await dataSource.getRepository(SessionEntity).findOneBy({ id: session.id })).toEqual(
      session,
    );
    expect(await direct.findOneBy(SessionEntity, 'id', session.id)).toEqual(session);
    if (!TEST_DATABASE_URL) {
      // Stored as SQLite INTEGERs, as TypeORM stores them (not REALs): same comparisons, same indexes.
      const [types] = await dataSource.query(
        'SELECT typeof(created_at) AS created, typeof(generation) AS generation FROM sessions WHERE id = ?',
        [session.id],
      );
      expect(types).toEqual({ created: 'integer', generation: 'integer' });
    }

    const event: AuditEventEntity = {
      id: `${now}-000001-${randomUUID().slice(0, 15)}`,
      at: now,
      type: 'login.succeeded',
      actorId: owner.id,
      subjectId: owner.id,
      ip: '127.0.0.1',
      userAgent: null,
      details: { sessionId: session.id, roles: ['user'], first: true, count: 2, none: null },
    };
    await direct.insert(AuditEventEntity, event);
    const read = await dataSource.getRepository(AuditEventEntity).findOneBy({ id: event.id });
    expect({ ...read }).toEqual(event);
  });

  it('finds nothing for an unknown value, and takes a hostile one as data', async () => {
    expect(await direct.findOneBy(UserEntity, 'email', 'nobody@example.test')).toBeNull();
    expect(await direct.findOneBy(UserEntity, 'email', "' OR '1'='1")).toBeNull();
    expect(await direct.findOneBy(SessionEntity, 'id', randomUUID())).toBeNull();
  });

  it('executes a conditional UPDATE and reports how many rows it changed', async () => {
    const written = user({ failedLogins: 2 });
    await dataSource.getRepository(UserEntity).insert(written);
    const claim =
      'UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? AND failed_logins < ?';
    expect(await direct.execute(claim, [written.id, 3])).toBe(1);
    expect(await direct.execute(claim, [written.id, 3])).toBe(0); // none left
    expect((await direct.findOneBy(UserEntity, 'id', written.id))?.failedLogins).toBe(3);
  });

  it('fails a statement the way TypeORM does: a QueryFailedError carrying the driver error', async () => {
    const written = user();
    await direct.insert(UserEntity, written);
    const duplicate = direct.insert(UserEntity, { ...written, email: 'other@example.test' });
    await expect(duplicate).rejects.toBeInstanceOf(QueryFailedError);
    await expect(duplicate).rejects.toMatchObject({
      driverError: { code: expect.stringMatching(/^(23505|SQLITE_CONSTRAINT_PRIMARYKEY)$/) },
    });
  });
});
