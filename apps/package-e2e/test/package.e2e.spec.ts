import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

import {
  addPackedLibrary,
  isolatedEnv,
  pinnedConsumer,
  run,
  runAsync,
  WORKSPACE_ROOT,
} from './consumer-project';

// The packed @jwt-token/auth as a user gets it: `npm pack` of the built library, installed with
// npm (offline) into a fresh Nest app in a temporary folder outside the workspace, run as a real
// process in two flavours (CommonJS and ESM plain JavaScript), and called through real HTTP.
// The library must be built first: `npm test` does, and nx runs `^build` before this target.

const LIBRARY = join(WORKSPACE_ROOT, 'libs', 'auth');
const CONSUMER_SOURCES = join(__dirname, '..', 'consumer');
const ISSUER = 'https://issuer.example.test';
const AUDIENCE = 'orders-api';
const KID = 'package-e2e-1';
/** What a Nest app using the library installs next to it: the peers, an HTTP adapter, types. */
const APP_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/jwt',
  '@nestjs/passport',
  '@nestjs/platform-express',
  'passport',
  'passport-jwt',
  'reflect-metadata',
  'rxjs',
  '@types/node',
];

const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const strangerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RFC 9068 access token signed ES256 with `key`, under the JWKS's kid. */
function accessToken(
  claims: Record<string, unknown>,
  key: KeyObject = signingKey.privateKey,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'at+jwt', kid: KID };
  const payload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    client_id: 'web',
    scope: '',
    roles: ['user'],
    ...claims,
  };
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

interface Ready {
  port: number;
  moduleSystem: string;
  resolved: Record<string, string>;
  testingExports: string[];
}

interface RunningApp extends Ready {
  url: string;
  stop(): Promise<number | null>;
}

/** Starts `node <file>` in the temp app and waits for its one-line JSON "ready" report. */
function startApp(appDir: string, file: string, jwksUri: string): Promise<RunningApp> {
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: appDir,
    env: isolatedEnv({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URI: jwksUri,
      NODE_ENV: 'production',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not report ready in 30 s\n${stdout}\n${stderr}`));
    }, 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before it was ready\n${stdout}\n${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      const ready = JSON.parse(line) as Ready;
      resolve({
        ...ready,
        url: `http://127.0.0.1:${ready.port}`,
        stop: async () => {
          child.kill('SIGTERM');
          const code = await exited;
          if (code !== 0) process.stderr.write(`${file} stderr:\n${stderr}\n`);
          return code;
        },
      });
    });
  });
}

async function get(url: string, token?: string) {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    wwwAuthenticate: response.headers.get('www-authenticate'),
  };
}

describe('@jwt-token/auth as a package installed into a fresh Nest app outside the workspace', () => {
  let root: string;
  let appDir: string;
  let packedFiles: string[];
  let jwks: Server;
  let jwksUri: string;
  let jwksRequests = 0;

  beforeAll(async () => {
    if (
      !existsSync(join(LIBRARY, 'dist', 'index.js')) ||
      !existsSync(join(LIBRARY, 'dist', 'testing', 'index.js'))
    ) {
      throw new Error(
        'libs/auth is not built: run `npx nx run-many -t build` (npm test does) first',
      );
    }
    root = realpathSync(mkdtempSync(join(tmpdir(), 'jwt-token-package-e2e-')));
    appDir = join(root, 'app');
    mkdirSync(appDir);

    // The tarball, from the built dist (`--ignore-scripts` skips the prepack rebuild).
    const [packed] = JSON.parse(
      run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
        cwd: LIBRARY,
      }),
    ) as Array<{ filename: string; integrity: string; files: Array<{ path: string }> }>;
    packedFiles = packed.files.map((f) => f.path).sort();

    // A fresh app: package.json + lock pinned to the workspace's versions, then an offline install.
    const registry = run('npm', ['config', 'get', 'registry'], { cwd: appDir }).trim();
    const { manifest, lock } = pinnedConsumer('fresh-nest-app', APP_DEPENDENCIES, registry);
    // The packed library is in the lock too, so the lock matches package.json and npm installs
    // from it alone: with the lock out of sync, npm would resolve the library's peers against the
    // registry's metadata, which `npm ci` never puts in the cache (an offline install then fails).
    const library = `file:../${packed.filename}`;
    (manifest.dependencies as Record<string, string>)['@jwt-token/auth'] = library;
    addPackedLibrary(lock, library, packed.integrity, registry);
    writeFileSync(join(appDir, 'package.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(appDir, 'package-lock.json'), JSON.stringify(lock, null, 2));
    for (const file of ['main.cjs', 'main.mjs'])
      copyFileSync(join(CONSUMER_SOURCES, file), join(appDir, file));
    run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      {
        cwd: appDir,
      },
    );

    jwks = createServer((_, response) => {
      jwksRequests += 1;
      const jwk = signingKey.publicKey.export({ format: 'jwk' });
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [{ ...jwk, kid: KID, alg: 'ES256', use: 'sig' }] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  }, 120_000);

  afterAll(async () => {
    if (jwks) {
      jwks.closeAllConnections();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lives outside the workspace, where nothing above the app provides a package', () => {
    expect(root.startsWith(WORKSPACE_ROOT + sep)).toBe(false);
    const probe = `try { require.resolve('@nestjs/core'); console.log('found') } catch { console.log('none') }`;
    expect(run(process.execPath, ['-e', probe], { cwd: root }).trim()).toBe('none');
  });

  it('packs only dist, README, LICENSE, CHANGELOG and package.json', () => {
    for (const path of packedFiles) {
      expect(path).toMatch(
        /^(dist\/.+\.(js|d\.ts|js\.map)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/,
      );
      expect(path).not.toMatch(/\.spec\.|(^|\/)(src|test)\//);
    }
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'CHANGELOG.md',
        'LICENSE',
        'README.md',
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
      ]),
    );
  });

  it('installs with its peers satisfied, and every export target exists', () => {
    // `npm ls` exits non-zero on a missing or out-of-range peer.
    run('npm', ['ls', '--all', '--offline'], { cwd: appDir });
    // Real copies, no links back into the workspace.
    const modules = join(appDir, 'node_modules');
    const entries = readdirSync(modules).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`) : [name],
    );
    expect(entries.length).toBeGreaterThan(50);
    for (const name of entries) expect(lstatSync(join(modules, name)).isSymbolicLink()).toBe(false);
    const installed = join(appDir, 'node_modules', '@jwt-token', 'auth');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      license: string;
      dependencies?: object;
      devDependencies?: object;
      peerDependencies: Record<string, string>;
      exports: Record<string, string | Record<string, string>>;
    };
    expect(manifest.license).toBe('MIT');
    // Nest and passport are peers (one copy, the app's); the cache is the only dependency.
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['lru-cache']);
    expect(
      existsSync(join(installed, 'node_modules', 'lru-cache', 'package.json')) ||
        existsSync(join(modules, 'lru-cache', 'package.json')),
    ).toBe(true);
    expect(Object.keys(manifest.peerDependencies)).toEqual(
      expect.arrayContaining([
        '@nestjs/common',
        '@nestjs/core',
        '@nestjs/jwt',
        '@nestjs/passport',
        'passport-jwt',
      ]),
    );
    const targets = Object.values(manifest.exports).flatMap((t) =>
      typeof t === 'string' ? [t] : Object.values(t),
    );
    for (const target of targets) expect(existsSync(join(installed, target))).toBe(true);
  });

  describe.each([
    ['CommonJS', 'main.cjs', 'commonjs'],
    ['ESM', 'main.mjs', 'esm'],
  ])('a %s consumer app', (_, file, moduleSystem) => {
    let app: RunningApp;

    beforeAll(async () => {
      app = await startApp(appDir, file, jwksUri);
    }, 45_000);
    // Whatever failed above, never leave the process behind (a no-op once it has stopped).
    afterAll(async () => {
      await app?.stop();
    });

    it('resolves the package and the library’s peers inside the temp app', () => {
      expect(app.moduleSystem).toBe(moduleSystem);
      expect(app.resolved['@jwt-token/auth']).toBe(
        join(appDir, 'node_modules', '@jwt-token', 'auth', 'dist', 'index.js'),
      );
      for (const path of Object.values(app.resolved)) {
        expect(realpathSync(path).startsWith(join(appDir, 'node_modules') + sep)).toBe(true);
      }
      expect(app.testingExports).toEqual([
        'AuthTestingModule',
        'InMemoryKeyStore',
        'TestTokenFactory',
      ]);
    });

    it('@Public() route: 200 without a token', async () => {
      expect(await get(`${app.url}/health`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('guarded route: 401 without a token, 200 with a JWKS-verified one', async () => {
      const missing = await get(`${app.url}/me`);
      expect(missing).toMatchObject({ status: 401, body: { error: 'missing_token' } });
      expect(missing.wwwAuthenticate).toBe(`Bearer realm="${AUDIENCE}"`);

      const before = jwksRequests;
      const me = await get(`${app.url}/me`, accessToken({ sub: 'ada' }));
      expect(me).toMatchObject({ status: 200, body: { sub: 'ada', roles: ['user'] } });
      expect(jwksRequests).toBeGreaterThan(before);
    });

    it('@Roles("admin"): 403 for a user token, 200 for an admin token', async () => {
      expect(await get(`${app.url}/admin`, accessToken({ roles: ['user'] }))).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: 'requires role admin' },
      });
      expect(
        await get(`${app.url}/admin`, accessToken({ sub: 'root', roles: ['admin'] })),
      ).toMatchObject({
        status: 200,
        body: { admin: true, sub: 'root' },
      });
    });

    it('forged tokens: 401 invalid_token', async () => {
      // Signed by a key the JWKS does not hold, under the JWKS's kid.
      const stranger = await get(
        `${app.url}/admin`,
        accessToken({ roles: ['admin'] }, strangerKey.privateKey),
      );
      expect(stranger).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
      expect(stranger.wwwAuthenticate).toContain('error="invalid_token"');

      // A genuine user token with its payload swapped for an admin one.
      const [header, , signature] = accessToken({ roles: ['user'] }).split('.');
      const [, adminPayload] = accessToken({ roles: ['admin'] }).split('.');
      expect(await get(`${app.url}/admin`, `${header}.${adminPayload}.${signature}`)).toMatchObject(
        {
          status: 401,
          body: { error: 'invalid_token' },
        },
      );
    });

    it('stops cleanly on SIGTERM', async () => {
      expect(await app.stop()).toBe(0);
    });
  });

  it('type-checks a TypeScript consumer against the packaged .d.ts (node10 and nodenext resolution)', async () => {
    // The workspace's compiler as a tool; what it checks resolves from the temp app only.
    const tsc = join(WORKSPACE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const common = {
      target: 'ES2022',
      lib: ['ES2022'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      types: ['node'],
      ignoreDeprecations: '6.0',
    };
    const source = readFileSync(join(CONSUMER_SOURCES, 'types-check.ts'), 'utf8');
    const variants = [
      // The Nest CLI's default: node10 resolution ignores `exports` (`typesVersions` serves /testing).
      { file: 'check.ts', options: { module: 'commonjs', moduleResolution: 'node10' } },
      { file: 'check.mts', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
    ];
    await Promise.all(
      variants.map(({ file, options }) => {
        writeFileSync(join(appDir, file), source);
        const config = join(appDir, `tsconfig.${file}.json`);
        writeFileSync(
          config,
          JSON.stringify({ compilerOptions: { ...common, ...options }, files: [file] }),
        );
        return runAsync(process.execPath, [tsc, '-p', config], appDir);
      }),
    );
  });
});
