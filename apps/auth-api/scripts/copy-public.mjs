#!/usr/bin/env node
// Part of auth-api's build: copies the web console's static files (public/) next to the compiled
// code in dist/apps/auth-api/public, replacing what an earlier build left there.
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(app, '..', '..', 'dist', 'apps', 'auth-api', 'public');
rmSync(target, { recursive: true, force: true });
cpSync(join(app, 'public'), target, { recursive: true });

// The password hasher's worker thread runs this plain-JS file (see src/crypto/argon2.worker.js).
cpSync(join(app, 'src', 'crypto', 'argon2.worker.js'), join(target, '..', 'crypto', 'argon2.worker.js'));
