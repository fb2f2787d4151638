import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

interface LockEntry {
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/**
 * The environment for npm and node in the temporary app: this process's, minus what would tie
 * them to the workspace. `npm test` exports `npm_config_local_prefix=<workspace>` and the like to
 * its children, which would make a nested npm treat the workspace as its project.
 */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep =
    /^npm_config_(cache|userconfig|globalconfig|registry|cafile|proxy|https_proxy|noproxy)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) && !keep.test(name)) continue;
    if (['NODE_PATH', 'NODE_OPTIONS', 'INIT_CWD'].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: SpawnSyncOptions & { cwd: string },
): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: isolatedEnv(),
    timeout: 120_000,
    ...options,
  });
  if (result.status !== 0) {
    const output = `${String(result.stdout ?? '')}\n${String(result.stderr ?? '')}`.trim();
    const hint = /ENOTCACHED/.test(output)
      ? '\nThe npm cache lacks a package this install needs. `npm ci` in the workspace fills the cache; run it, then retry.'
      : '';
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) failed: ${result.status ?? result.signal}\n${output}${hint}`,
    );
  }
  return String(result.stdout);
}

/** {@link run}, without blocking: for commands that may run side by side. */
export function runAsync(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: isolatedEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${code}\n${output}`));
    });
  });
}

/**
 * A `package.json` and a `package-lock.json` for a fresh app depending on `roots`, pinned to the
 * versions the workspace has installed (the versions the library is tested with).
 *
 * The lock is the dependency closure of `roots` copied from the workspace's lock, entry by entry
 * at the same `node_modules` paths, with `resolved` URLs added (the workspace omits them). With
 * it `npm install --offline` takes every tarball from the npm cache by its integrity. Without a
 * lock npm would pick the newest version each range allows, as listed in the cached registry
 * metadata, and that version's tarball is usually not in the cache.
 */
export function pinnedConsumer(
  name: string,
  roots: string[],
  registry: string,
): { manifest: Record<string, unknown>; lock: Record<string, unknown> } {
  const workspaceLock = JSON.parse(
    readFileSync(join(WORKSPACE_ROOT, 'package-lock.json'), 'utf8'),
  ) as {
    packages: Record<string, LockEntry>;
  };
  const entries = workspaceLock.packages;

  // Node's lookup on lock paths: <from>/node_modules/<name>, then each ancestor's node_modules.
  const locate = (from: string, dependency: string): string | undefined => {
    let dir = from;
    for (;;) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${dependency}`;
      const entry = entries[candidate];
      if (entry && !entry.link) return candidate;
      if (!dir) return undefined;
      const parent = dir.lastIndexOf('/node_modules/');
      dir = parent < 0 ? '' : dir.slice(0, parent);
    }
  };

  const closure = new Map<string, LockEntry>();
  const queue: Array<{ from: string; dependency: string; optional: boolean }> = roots.map(
    (dependency) => ({
      from: '',
      dependency,
      optional: false,
    }),
  );
  while (queue.length > 0) {
    const { from, dependency, optional } = queue.shift()!;
    const path = locate(from, dependency);
    if (!path) {
      if (optional) continue;
      throw new Error(
        `${dependency} (needed by ${from || 'the app'}) is not in the workspace's package-lock.json`,
      );
    }
    if (closure.has(path)) continue;
    const entry = entries[path];
    closure.set(path, entry);
    for (const dep of Object.keys(entry.dependencies ?? {}))
      queue.push({ from: path, dependency: dep, optional: false });
    for (const dep of Object.keys(entry.optionalDependencies ?? {}))
      queue.push({ from: path, dependency: dep, optional: true });
    // npm installs required peers; optional ones only when something else brings them.
    for (const dep of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[dep]?.optional)
        queue.push({ from: path, dependency: dep, optional: false });
    }
  }

  const dependencies = Object.fromEntries(
    [...roots].sort().map((root) => [root, entries[`node_modules/${root}`].version as string]),
  );
  const packages: Record<string, LockEntry> = {};
  for (const path of [...closure.keys()].sort())
    packages[path] = consumerEntry(path, closure.get(path)!, registry);
  const manifest = { name, version: '1.0.0', private: true, dependencies };
  const lock = {
    name,
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name, version: '1.0.0', dependencies }, ...packages },
  };
  return { manifest, lock };
}

/**
 * A workspace lock entry as an app's lock holds it: with the registry URL of its tarball (the
 * workspace omits `resolved`) and without the flags that describe the workspace's graph (npm
 * recomputes them for the app's).
 */
function consumerEntry(path: string, workspaceEntry: LockEntry, registry: string): LockEntry {
  const {
    dev: _dev,
    devOptional: _devOptional,
    optional: _optional,
    peer: _peer,
    ...entry
  } = workspaceEntry;
  const packageName = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const basename = packageName.split('/').pop() as string;
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  return { resolved: `${base}${packageName}/-/${basename}-${entry.version}.tgz`, ...entry };
}

/**
 * Adds the packed library (`file:` tarball) to a lock made by {@link pinnedConsumer}, with its
 * peers as the library's package.json declares them, so that the lock is in sync with the app's
 * package.json. Its own dependencies go under it (`node_modules/@jwt-token/auth/node_modules/`), at
 * the versions the workspace installed for it; a nested path never clashes with the app's.
 */
export function addPackedLibrary(
  lock: Record<string, unknown>,
  spec: string,
  integrity: string,
  registry: string,
): void {
  const library = JSON.parse(
    readFileSync(join(WORKSPACE_ROOT, 'libs', 'auth', 'package.json'), 'utf8'),
  ) as LockEntry & { name: string; license?: string };
  const packages = lock.packages as Record<string, LockEntry>;
  const root = packages[''] as LockEntry & { dependencies: Record<string, string> };
  root.dependencies = { ...root.dependencies, [library.name]: spec };
  packages[`node_modules/${library.name}`] = {
    version: library.version,
    resolved: spec,
    integrity,
    license: library.license,
    ...(library.dependencies ? { dependencies: library.dependencies } : {}),
    ...(library.peerDependencies ? { peerDependencies: library.peerDependencies } : {}),
    ...(library.peerDependenciesMeta ? { peerDependenciesMeta: library.peerDependenciesMeta } : {}),
  };
  const workspaceEntries = (
    JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    }
  ).packages;
  for (const dependency of Object.keys(library.dependencies ?? {})) {
    const installed = [`libs/auth/node_modules/${dependency}`, `node_modules/${dependency}`].find(
      (path) => workspaceEntries[path] && !workspaceEntries[path].link,
    );
    if (!installed)
      throw new Error(
        `${dependency} (a dependency of ${library.name}) is not in the workspace's package-lock.json`,
      );
    const entry = workspaceEntries[installed];
    // One level is all the library needs today; a dependency with dependencies of its own would
    // need its closure copied too, and this says so instead of writing a lock npm would reject.
    if (Object.keys(entry.dependencies ?? {}).length > 0)
      throw new Error(
        `${dependency} has dependencies of its own: copy its closure into the consumer's lock`,
      );
    packages[`node_modules/${library.name}/node_modules/${dependency}`] = consumerEntry(
      installed,
      entry,
      registry,
    );
  }
}

/** `npm pack` of the built library into `destination` (`--ignore-scripts` skips the prepack rebuild). */
export function packLibrary(destination: string): {
  filename: string;
  integrity: string;
  files: string[];
} {
  const [packed] = JSON.parse(
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
      cwd: join(WORKSPACE_ROOT, 'libs', 'auth'),
    }),
  ) as Array<{ filename: string; integrity: string; files: Array<{ path: string }> }>;
  return { ...packed, files: packed.files.map((f) => f.path).sort() };
}

/**
 * A fresh app in `appDir` (a sibling of the tarball): package.json + lock pinned to the
 * workspace's versions of `dependencies`, the packed library, `sources` copied in, then an
 * offline install.
 */
export function installConsumerApp(options: {
  appDir: string;
  name: string;
  dependencies: string[];
  packed: { filename: string; integrity: string };
  sources: string[];
}): void {
  const { appDir, name, dependencies, packed, sources } = options;
  mkdirSync(appDir, { recursive: true });
  const registry = run('npm', ['config', 'get', 'registry'], { cwd: appDir }).trim();
  const { manifest, lock } = pinnedConsumer(name, dependencies, registry);
  // The packed library is in the lock too, so the lock matches package.json and npm installs
  // from it alone: with the lock out of sync, npm would resolve the library's peers against the
  // registry's metadata, which `npm ci` never puts in the cache (an offline install then fails).
  const library = `file:../${packed.filename}`;
  (manifest.dependencies as Record<string, string>)['@jwt-token/auth'] = library;
  addPackedLibrary(lock, library, packed.integrity, registry);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(appDir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  for (const source of sources) copyFileSync(source, join(appDir, source.split('/').pop()!));
  run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    { cwd: appDir },
  );
}
