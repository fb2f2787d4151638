import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { READS, ROOT, variablesReadIn } from './app-variables';

/**
 * Keeps docker-compose.yml, .env.example, the Dockerfile and the apps' configuration readers in
 * step: a variable set in the compose file must be one the app reads and one .env.example documents.
 */
/** The configuration table of the contract, plus the stack's own secrets. */
const DOCUMENTED = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATA_DIR',
  'REDIS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URI',
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
  'POSTGRES_PASSWORD',
];

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  ports?: string[];
  environment?: Record<string, string | number | boolean>;
  depends_on?: Record<string, { condition?: string; [key: string]: unknown }> | string[];
  healthcheck?: { test: string[] | string };
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** Names in .env.example, set (`NAME=`) or listed commented out (`# NAME=`). */
const documented = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

const envOf = (service: string) => Object.keys(compose.services[service].environment ?? {});

describe('docker-compose.yml', () => {
  it('defines postgres, redis, auth-api and resource-api', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'auth-api',
      'postgres',
      'redis',
      'resource-api',
    ]);
  });

  it('health-checks the database and Redis', () => {
    expect(JSON.stringify(compose.services.postgres.healthcheck?.test)).toContain('pg_isready');
    expect(compose.services.postgres.image).toMatch(/^postgres:16-alpine$/);
    expect(compose.services.redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(compose.services.redis.image).toMatch(/^redis:7-alpine$/);
  });

  it.each([
    ['auth-api', '3000'],
    ['resource-api', '3001'],
  ])('publishes %s on %s, where it listens on all interfaces', (name, port) => {
    const service = compose.services[name];
    expect(service.ports).toEqual([`${port}:${port}`]);
    expect(String(service.environment?.PORT)).toBe(port);
    expect(service.environment?.HOST).toBe('0.0.0.0');
    expect(service.build?.target).toBe(name);
    expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
  });

  it('waits for healthy dependencies only (condition form, no `required`, which compose 1.29 rejects)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.depends_on) continue;
      expect([name, Array.isArray(service.depends_on)]).toEqual([name, false]);
      for (const [dependency, spec] of Object.entries(service.depends_on)) {
        expect([name, dependency, spec]).toEqual([
          name,
          dependency,
          { condition: 'service_healthy' },
        ]);
      }
    }
    expect(Object.keys(compose.services['auth-api'].depends_on ?? {}).sort()).toEqual([
      'postgres',
      'redis',
    ]);
  });

  it('lets resource-api fetch keys over the internal network while trusting the public issuer', () => {
    const auth = compose.services['auth-api'].environment!;
    const resource = compose.services['resource-api'].environment!;
    expect(resource.AUTH_JWKS_URI).toBe('http://auth-api:3000/.well-known/jwks.json');
    expect(resource.AUTH_ISSUER).toBe(auth.AUTH_ISSUER);
    expect(resource.AUTH_AUDIENCE).toBe(auth.AUTH_AUDIENCE);
    expect(resource.JWT_ALG).toBe(auth.JWT_ALG);
  });

  it('takes secrets from the environment (.env), never from the file itself', () => {
    expect(compose.services.postgres.environment?.POSTGRES_PASSWORD).toMatch(
      /^\$\{POSTGRES_PASSWORD\?/,
    );
    const auth = compose.services['auth-api'].environment!;
    expect(auth.KEY_ENCRYPTION_KEY).toMatch(/^\$\{KEY_ENCRYPTION_KEY\?/);
    expect(auth.ADMIN_EMAIL).toBe('${ADMIN_EMAIL:-}');
    expect(auth.ADMIN_PASSWORD).toBe('${ADMIN_PASSWORD:-}');
    expect(auth.DATABASE_URL).toContain('${POSTGRES_PASSWORD}');
  });

  it.each(['auth-api', 'resource-api'] as const)(
    'sets on %s only variables the app reads',
    (name) => {
      const unknown = envOf(name).filter((variable) => !READS[name].includes(variable));
      expect(unknown).toEqual([]);
    },
  );

  it('documents in .env.example every contract variable and every variable the stack sets or interpolates', () => {
    const set = Object.values(compose.services).flatMap((s) => Object.keys(s.environment ?? {}));
    const interpolated = [
      ...readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g),
    ].map((m) => m[1]);
    const stackOwn = ['POSTGRES_USER', 'POSTGRES_DB'];
    const missing = [...new Set([...DOCUMENTED, ...set, ...interpolated])].filter(
      (variable) => !documented.has(variable) && !stackOwn.includes(variable),
    );
    expect(missing).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('runs both services as the unprivileged node user, with a health check on /health', () => {
    for (const target of ['auth-api', 'resource-api']) {
      const stage = dockerfile.split(/^FROM /m).find((s) => new RegExp(`AS ${target}\\s`).test(s))!;
      expect(stage).toMatch(/^USER node$/m);
      expect(stage).toMatch(/^HEALTHCHECK .*\n?.*fetch\(.*\/health/m);
      expect(stage).toContain(`CMD ["node", "dist/apps/${target}/main.js"]`);
    }
  });
});

describe.each(['auth-api', 'resource-api'] as const)('the variables %s is said to read', (name) => {
  const source = join(ROOT, 'apps', name, 'src');
  const available = existsSync(source);
  // auth-api is written in parallel: without its source there is nothing to check against yet.
  const check = available ? it : it.skip;
  check(
    `are read in apps/${name}/src or libs/service-kit/src${available ? '' : ' (skipped: no source yet)'}`,
    () => {
      const read = variablesReadIn(source, join(ROOT, 'libs', 'service-kit', 'src'));
      expect(READS[name].filter((variable) => !read.has(variable))).toEqual([]);
    },
  );
});
