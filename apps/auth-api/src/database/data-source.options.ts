import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

import type { AuthApiConfig } from '../config/auth-api.config';
import { ENTITIES } from './entities';
import { InitialSchema1732800000000 } from './migrations/1732800000000-initial-schema';
import { OAuthClients1732800000001 } from './migrations/1732800000001-oauth-clients';
import { KeyPrepublication1732800000002 } from './migrations/1732800000002-key-prepublication';
import { AuditEvents1732800000003 } from './migrations/1732800000003-audit-events';
import { OpenIdConnect1732800000004 } from './migrations/1732800000004-openid-connect';
import { PushedAuthorizationRequests1732800000005 } from './migrations/1732800000005-pushed-authorization-requests';
import { MailAndAccountTokens1732800000010 } from './migrations/1732800000010-mail-and-account-tokens';
import { SecondFactors1732800000011 } from './migrations/1732800000011-second-factors';
import { DpopBindings1732800000013 } from './migrations/1732800000013-dpop-bindings';
import { Passkeys1732800000014 } from './migrations/1732800000014-passkeys';
import { DpopBoundCodes1732800000015 } from './migrations/1732800000015-dpop-bound-codes';

export const MIGRATIONS = [
  InitialSchema1732800000000,
  OAuthClients1732800000001,
  KeyPrepublication1732800000002,
  AuditEvents1732800000003,
  OpenIdConnect1732800000004,
  PushedAuthorizationRequests1732800000005,
  MailAndAccountTokens1732800000010,
  SecondFactors1732800000011,
  DpopBindings1732800000013,
  Passkeys1732800000014,
  DpopBoundCodes1732800000015,
];

/**
 * PostgreSQL when DATABASE_URL is set, else the embedded SQLite file in DATA_DIR. Migrations
 * run at start on both; `synchronize` is never on: the schema comes from migrations alone.
 */
export function dataSourceOptions(
  config: Pick<AuthApiConfig, 'databaseUrl' | 'sqlitePath'>,
): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (config.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: config.databaseUrl,
      // Fail fast instead of hanging when PostgreSQL is down; the pool reconnects by itself.
      connectTimeoutMS: 3000,
      extra: {
        max: 10,
        connectionTimeoutMillis: 3000,
        idleTimeoutMillis: 30000,
        query_timeout: 10000,
      },
    };
  }
  if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.sqlitePath,
    // WAL survives kill -9 without corruption and lets readers run beside the writer.
    enableWAL: true,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
    },
  };
}
