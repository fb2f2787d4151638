#!/usr/bin/env node
// Part of auth-api's build: copies what tsc does not emit next to the compiled code in
// dist/apps/auth-api: the web console's static files (public/, replacing what an earlier build
// left there) and the password hasher's plain-JS worker (see src/crypto/argon2.worker.js).
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(app, '..', '..', 'dist', 'apps', 'auth-api');
rmSync(join(dist, 'public'), { recursive: true, force: true });
cpSync(join(app, 'public'), join(dist, 'public'), { recursive: true });
cpSync(join(app, 'src', 'crypto', 'argon2.worker.js'), join(dist, 'crypto', 'argon2.worker.js'));
