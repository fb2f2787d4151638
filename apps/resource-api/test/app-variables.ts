import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the deployment descriptions (docker-compose.yml, deploy/kubernetes) may set, shared by
 * their specs: the variables each app reads, and a way to check that list against the sources.
 */
export const ROOT = join(__dirname, '..', '..', '..');

export type AppName = 'auth-api' | 'resource-api';

/** What each app reads from its environment (checked against the sources by both specs). */
export const READS: Record<AppName, readonly string[]> = {
  'auth-api': [
    'PORT',
    'HOST',
    'DATABASE_URL',
    'DATA_DIR',
    'REDIS_URL',
    'AUTH_ISSUER',
    'AUTH_AUDIENCE',
    'JWT_ALG',
    'ACCESS_TOKEN_TTL',
    'REFRESH_TOKEN_TTL',
    'REFRESH_REUSE_INTERVAL',
    'ADMIN_EMAIL',
    'ADMIN_PASSWORD',
    'LOGIN_MAX_FAILURES',
    'LOGIN_LOCKOUT_SECONDS',
    'RATE_LIMIT_PER_MINUTE',
    'METRICS_ENABLED',
    'LOG_LEVEL',
    'KEY_ENCRYPTION_KEY',
    'KEY_RELOAD_SECONDS',
    'TRUST_PROXY',
    'LOG_FORMAT',
  ],
  'resource-api': [
    'PORT',
    'HOST',
    'AUTH_ISSUER',
    'AUTH_AUDIENCE',
    'AUTH_JWKS_URI',
    'JWT_ALG',
    'METRICS_ENABLED',
    'LOG_LEVEL',
    'TRUST_PROXY',
    'LOG_FORMAT',
  ],
};

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** UPPER_SNAKE names passed to EnvReader methods, or read from process.env, in these folders. */
export function variablesReadIn(...dirs: string[]): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\.(?:string|integer|boolean|oneOf|url)\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g,
  ];
  for (const file of dirs.flatMap(typeScriptFiles)) {
    const source = readFileSync(file, 'utf8');
    for (const pattern of patterns)
      for (const m of source.matchAll(pattern)) names.add(m[1] ?? m[2]);
  }
  return names;
}

/** The variables of {@link READS} that neither the app's sources nor libs/service-kit read. */
export function readsNotInSources(name: AppName): string[] {
  const read = variablesReadIn(
    join(ROOT, 'apps', name, 'src'),
    join(ROOT, 'libs', 'service-kit', 'src'),
  );
  return READS[name].filter((variable) => !read.has(variable));
}
