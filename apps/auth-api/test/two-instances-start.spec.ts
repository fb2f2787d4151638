import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource, Repository } from 'typeorm';

import { AuthApiMetrics } from '../src/common/auth-api.metrics';
import { loadAuthApiConfig } from '../src/config/auth-api.config';
import { SecretBox } from '../src/crypto/secret-box';
import { createDataSource } from '../src/database/data-source.factory';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source.options';
import { SigningKeyEntity } from '../src/database/entities';
import { DbSigningKeyStore } from '../src/keys/signing-key.store';
import { createPostgresDatabase, FakeClock, TEST_DATABASE_URL } from './harness';

const KEY_ENCRYPTION_KEY = 'signing-keys-race-key-encryption-key-0123456789';

/**
 * Two replicas starting together on an empty database both find no active key and both create
 * one. Whatever the interleaving, exactly one key must be left to sign with, and both replicas
 * must sign with it. Once, two replicas each retired the other's new key and neither could sign
 * (every login a 500) until an operator rotated by hand.
 */
describe('signing keys: two instances activating at once on one database', () => {
  let dataSource: DataSource;
  let dropDatabase: (() => Promise<void>) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'signing-keys-race-'));
  const config = loadAuthApiConfig({
    DATA_DIR: dataDir,
    AUTH_ISSUER: 'http://auth.test',
    KEY_ENCRYPTION_KEY,
  });

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const postgres = TEST_DATABASE_URL
      ? await createPostgresDatabase(TEST_DATABASE_URL)
      : undefined;
    dropDatabase = postgres?.drop;
    dataSource = await createDataSource(
      dataSourceOptions({ databaseUrl: postgres?.url, sqlitePath: join(dataDir, 'race.sqlite') }),
    ).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => dataSource.getRepository(SigningKeyEntity).clear());

  /**
   * The store's repository, except that its first `insert` waits until `parties` stores have
   * inserted: both new keys are in the table before either instance retires anything.
   */
  function barrierRepository(barrier: { waiting: Array<() => void>; parties: number }) {
    const repository = dataSource.getRepository(SigningKeyEntity);
    let first = true;
    return new Proxy(repository, {
      get(target, property, receiver) {
        if (property !== 'insert') return Reflect.get(target, property, receiver);
        return async (...args: Parameters<Repository<SigningKeyEntity>['insert']>) => {
          const result = await target.insert(...args);
          if (first) {
            first = false;
            await new Promise<void>((release) => {
              barrier.waiting.push(release);
              if (barrier.waiting.length === barrier.parties) barrier.waiting.forEach((go) => go());
            });
          }
          return result;
        };
      },
    });
  }

  function store(repository: Repository<SigningKeyEntity>, clock: FakeClock): DbSigningKeyStore {
    return new DbSigningKeyStore(
      repository,
      config,
      new SecretBox(KEY_ENCRYPTION_KEY),
      clock,
      new AuthApiMetrics(),
    );
  }

  async function unretiredActiveKids(): Promise<string[]> {
    const rows = await dataSource.getRepository(SigningKeyEntity).find();
    return rows
      .filter((row) => row.activatedAt !== null && row.retiredAt === null)
      .map((row) => row.kid);
  }

  it.each([
    ['at different moments', 0],
    ['in the same millisecond', 1],
  ])(
    'both insert an active key before either retires (%s): one is left, and both sign with it',
    async (_, sameMs) => {
      const barrier = { waiting: [] as Array<() => void>, parties: 2 };
      const now = Date.now();
      const a = store(barrierRepository(barrier), new FakeClock(now));
      const b = store(barrierRepository(barrier), new FakeClock(sameMs ? now : now + 5));

      await Promise.all([a.initialize(), b.initialize()]);

      const active = await unretiredActiveKids();
      expect(active.length).toBeGreaterThanOrEqual(1);
      const [signedByA, signedByB] = await Promise.all([a.getSigningKey(), b.getSigningKey()]);
      expect(signedByB.kid).toBe(signedByA.kid);
      expect(active).toContain(signedByA.kid);
      // A third instance starting later agrees, and creates no key of its own.
      const c = store(dataSource.getRepository(SigningKeyEntity), new FakeClock(now + 10));
      await c.initialize();
      expect((await c.getSigningKey()).kid).toBe(signedByA.kid);
    },
  );

  it('a rotation in the same millisecond as the activation still replaces the active key', async () => {
    const clock = new FakeClock();
    const only = store(dataSource.getRepository(SigningKeyEntity), clock);
    await only.initialize();
    const before = (await only.getSigningKey()).kid;
    const after = await only.rotate(); // the clock has not moved
    expect(after).not.toBe(before);
    expect((await only.getSigningKey()).kid).toBe(after);
    expect(await unretiredActiveKids()).toEqual([after]);
  });

  it('the same rotation asked of two instances at once activates one key, and both sign with it', async () => {
    const clock = new FakeClock();
    const a = store(dataSource.getRepository(SigningKeyEntity), clock);
    const b = store(dataSource.getRepository(SigningKeyEntity), clock);
    await a.initialize();
    await b.initialize();
    clock.advance(1000);
    await Promise.all([a.rotate(), b.rotate()]);
    clock.advance(config.keyReloadSeconds * 1000); // both reload what the other wrote
    const [signedByA, signedByB] = await Promise.all([a.getSigningKey(), b.getSigningKey()]);
    expect(signedByB.kid).toBe(signedByA.kid);
    expect(await unretiredActiveKids()).toEqual([signedByA.kid]);
  });
});

/** PostgreSQL only: two processes on one SQLite file are not a supported deployment. */
(TEST_DATABASE_URL ? describe : describe.skip)(
  'migrations: two instances starting at once on an empty PostgreSQL database',
  () => {
    it('both start; every migration ran exactly once', async () => {
      const postgres = await createPostgresDatabase(TEST_DATABASE_URL!);
      const instances = Array.from({ length: 3 }, () =>
        createDataSource(dataSourceOptions({ databaseUrl: postgres.url, sqlitePath: ':memory:' })),
      );
      try {
        await Promise.all(instances.map((instance) => instance.initialize()));
        const ran: Array<{ name: string }> = await instances[0].query(
          'SELECT name FROM migrations ORDER BY id',
        );
        expect(ran.map((row) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
        await instances[1].getRepository(SigningKeyEntity).count();
      } finally {
        await Promise.all(
          instances.map((instance) => instance.isInitialized && instance.destroy()),
        );
        await postgres.drop();
      }
    });
  },
);
