import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

/** One file of the console, held in memory (the whole console is a few dozen KiB). */
export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Where the build put the files: `dist/apps/auth-api/public/console` next to the compiled code,
 * or `apps/auth-api/public/console` when the sources run under Jest.
 */
export const CONSOLE_DIR_CANDIDATES = [
  join(__dirname, '..', 'public', 'console'),
  join(__dirname, '..', '..', 'public', 'console'),
];

/**
 * Files the console takes from npm packages rather than from its own folder, resolved where Node
 * resolves the package: @simplewebauthn/browser's browser bundle (it sets the global
 * `SimpleWebAuthnBrowser`; the console has no bundler).
 */
const PACKAGE_ASSETS: ReadonlyArray<[name: string, file: () => string]> = [
  [
    'simplewebauthn-browser.js',
    () =>
      join(
        dirname(require.resolve('@simplewebauthn/browser')),
        '..',
        'dist',
        'bundle',
        'index.umd.min.js',
      ),
  ],
];

function load(file: string): ConsoleAsset {
  const body = readFileSync(file);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' };
}

/**
 * The console's static files, read once at start: the page (`index.html`) and the flat `assets/`
 * folder of scripts, styles and icons. Only these names are ever served, so no request path
 * reaches the file system.
 */
@Injectable()
export class ConsoleAssets {
  private readonly logger = new Logger(ConsoleAssets.name);
  readonly page: ConsoleAsset | null;
  private readonly assets = new Map<string, ConsoleAsset>();

  constructor() {
    const dir = CONSOLE_DIR_CANDIDATES.find((candidate) =>
      existsSync(join(candidate, 'index.html')),
    );
    if (!dir) {
      this.logger.warn(
        `console files not found (looked in ${CONSOLE_DIR_CANDIDATES.join(', ')}): /console answers 404`,
      );
      this.page = null;
      return;
    }
    this.page = load(join(dir, 'index.html'));
    for (const entry of readdirSync(join(dir, 'assets'), { withFileTypes: true })) {
      if (entry.isFile() && CONTENT_TYPES[extname(entry.name)])
        this.assets.set(entry.name, load(join(dir, 'assets', entry.name)));
    }
    for (const [name, file] of PACKAGE_ASSETS) this.assets.set(name, load(file()));
  }

  asset(name: string): ConsoleAsset | undefined {
    return this.assets.get(name);
  }
}
