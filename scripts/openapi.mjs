#!/usr/bin/env node
// Writes the OpenAPI documents of both built services into docs/openapi/ (`npm run openapi`).
// A test compares them with what the running services serve at /docs-json, so they stay true.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const dist = (...parts) => join(root, 'dist', 'apps', ...parts);

const { createOpenApiDocument } = require('@jwt-token/service-kit');

async function authApiDocument() {
  const { createAuthApi, AUTH_API_OPENAPI } = require(dist('auth-api', 'app.factory.js'));
  const { loadAuthApiConfig } = require(dist('auth-api', 'config', 'auth-api.config.js'));
  const dataDir = mkdtempSync(join(tmpdir(), 'openapi-'));
  const app = await createAuthApi({
    config: loadAuthApiConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'fatal' }),
    logger: false,
  });
  try {
    await app.init();
    return createOpenApiDocument(app, AUTH_API_OPENAPI);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function resourceApiDocument() {
  const { createResourceApi } = require(dist('resource-api', 'app.factory.js'));
  const { RESOURCE_API_OPENAPI } = require(dist('resource-api', 'openapi.js'));
  const { readResourceApiConfig } = require(
    dist('resource-api', 'config', 'resource-api.config.js'),
  );
  const app = await createResourceApi({
    config: readResourceApiConfig({ LOG_LEVEL: 'fatal' }),
    logger: false,
  });
  try {
    await app.init();
    return createOpenApiDocument(app, RESOURCE_API_OPENAPI);
  } finally {
    await app.close();
  }
}

for (const [name, build] of [
  ['auth-api', authApiDocument],
  ['resource-api', resourceApiDocument],
]) {
  const file = join(root, 'docs', 'openapi', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(await build(), null, 2)}\n`);
  console.log(`wrote ${file.slice(root.length + 1)}`);
}
