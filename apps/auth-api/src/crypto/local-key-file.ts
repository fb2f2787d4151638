import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where auth-api keeps a generated key-encryption key when KEY_ENCRYPTION_KEY is not set. */
export const LOCAL_KEY_FILE = 'key-encryption.key';

/**
 * The key-encryption key of an instance without KEY_ENCRYPTION_KEY: read from DATA_DIR, or made
 * there (mode 0600) on first start. Secrets in the database are then always sealed, so the
 * database alone (a dump, a backup, a read-only SQL account) can neither mint access tokens nor
 * derive refresh tokens. Instances sharing one database need the same KEY_ENCRYPTION_KEY instead.
 */
/** The DATA_DIR key, if one was made earlier (to reseal its values under KEY_ENCRYPTION_KEY). */
export function readLocalKey(dataDir: string): string | undefined {
  const path = join(dataDir, LOCAL_KEY_FILE);
  const key = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  // Empty: a crash between creating and writing the file; nothing was sealed with it yet.
  return key.length > 0 ? key : undefined;
}

export function loadOrCreateLocalKey(dataDir: string): string {
  const existing = readLocalKey(dataDir);
  if (existing) return existing;
  const path = join(dataDir, LOCAL_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: existsSync(path) ? 'w' : 'wx' });
  chmodSync(path, 0o600);
  return key;
}

/** The SecretBox keys: KEY_ENCRYPTION_KEY (with the DATA_DIR key as an earlier one), or the DATA_DIR key. */
export function secretBoxKeys(config: {
  keyEncryptionKey?: string;
  dataDir: string;
}): [string, string[]] {
  if (!config.keyEncryptionKey) return [loadOrCreateLocalKey(config.dataDir), []];
  const local = readLocalKey(config.dataDir);
  return [config.keyEncryptionKey, local ? [local] : []];
}
