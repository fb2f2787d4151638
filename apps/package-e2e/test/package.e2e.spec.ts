import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

import {
  accessToken,
  AUDIENCE,
  get,
  type JwksServer,
  type RunningApp,
  startApp,
  startJwksServer,
  strangerKey,
} from './consumer-app';
import { installConsumerApp, packLibrary, run, runAsync, WORKSPACE_ROOT } from './consumer-project';

// The packed @jwt-token/auth as a user gets it: `npm pack` of the built library, installed with
// npm (offline) into a fresh Nest app in a temporary folder outside the workspace, run as a real
// process in two flavours (CommonJS and ESM plain JavaScript), and called through real HTTP.
// The library must be built first: `npm test` does, and nx runs `^build` before this target.

const LIBRARY = join(WORKSPACE_ROOT, 'libs', 'auth');
const CONSUMER_SOURCES = join(__dirname, '..', 'consumer');
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

describe('@jwt-token/auth as a package installed into a fresh Nest app outside the workspace', () => {
  let root: string;
  let appDir: string;
  let packedFiles: string[];
  let jwks: JwksServer;

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

    const packed = packLibrary(root);
    packedFiles = packed.files;
    installConsumerApp({
      appDir,
      name: 'fresh-nest-app',
      dependencies: APP_DEPENDENCIES,
      packed,
      sources: ['main.cjs', 'main.mjs'].map((file) => join(CONSUMER_SOURCES, file)),
    });

    jwks = await startJwksServer();
  }, 120_000);

  afterAll(async () => {
    await jwks?.close();
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
      app = await startApp(appDir, file, jwks.uri);
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
        'TestDpopKey',
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

      const before = jwks.requests();
      const me = await get(`${app.url}/me`, accessToken({ sub: 'ada' }));
      expect(me).toMatchObject({ status: 200, body: { sub: 'ada', roles: ['user'] } });
      expect(jwks.requests()).toBeGreaterThan(before);
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
