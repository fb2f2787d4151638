#!/usr/bin/env node
// Renders every kustomization under deploy/kubernetes with `kubectl kustomize` (offline) and
// checks each object against the Kubernetes API schema of its apiVersion and kind, the way the
// API server would: wrong types, missing required fields, bad enums and formats, and fields the
// schema does not have (a typo such as `readinessProbes` would otherwise be dropped silently).
// The schemas are Kubernetes' OpenAPI definitions compiled to validators by `kubernetes-models`.
// `npm run k8s:check`; .ci/run runs it. Exits 1 on any failure, and when kubectl is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const deployDir = join(root, 'deploy', 'kubernetes');
const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const API_VERSION = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\/)?v\d+(?:(?:alpha|beta)\d+)?$/;

function die(message) {
  process.stderr.write(`k8s:check: ${message}\n`);
  process.exit(1);
}

/** The folders under `dir` that hold a kustomization, in a stable order. */
function kustomizations(dir) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const own = entries.some((e) => e.isFile() && KUSTOMIZATION.includes(e.name)) ? [dir] : [];
  const nested = entries
    .filter((e) => e.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => kustomizations(join(dir, e.name)));
  return [...own, ...nested];
}

function kubectl(args) {
  const result = spawnSync('kubectl', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error?.code === 'ENOENT') {
    die(
      'kubectl is not on the PATH, so the manifests cannot be rendered (kustomize is built into ' +
        "kubectl). Install kubectl 1.27 or newer (kustomize v5) and run again; Debian's own " +
        'kubernetes-client (1.20) is too old. This check never skips.',
    );
  }
  if (result.error) die(`kubectl ${args.join(' ')}: ${result.error.message}`);
  return result;
}

/** The model class of kubernetes-models for this apiVersion and kind, or undefined. */
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  if (!API_VERSION.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  let models;
  try {
    models = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    return undefined;
  }
  const model = models[kind];
  return model?.apiVersion === apiVersion && model?.kind === kind ? model : undefined;
}

/**
 * Runs the schema's validator on `object`, and lists the fields the schema does not know. The
 * compiled validator reads every property its schema declares (and every entry of a map such as
 * `labels`); a property it never read is one the schema does not have. So the object is given to
 * it behind proxies that record what was read.
 */
function problemsOf(model, object) {
  const read = new WeakMap();
  const watched = (value) => {
    if (value === null || typeof value !== 'object') return value;
    read.set(value, new Set());
    return new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') read.get(target).add(key);
        return watched(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === 'string') read.get(target).add(key);
        return Reflect.has(target, key);
      },
    });
  };
  try {
    model.prototype.validate.call(watched(object));
  } catch (error) {
    // A validator that failed may have stopped reading early: report only what it said.
    return [error.message];
  }
  const unknown = [];
  const walk = (value, path) => {
    if (value === null || typeof value !== 'object') return;
    for (const key of Object.keys(value)) {
      const at = `${path}/${key}`;
      if (read.get(value)?.has(key)) walk(value[key], at);
      else unknown.push(`data${at} is not a field of ${model.apiVersion} ${model.kind}`);
    }
  };
  walk(object, '');
  if (!object.metadata?.name) unknown.push('data/metadata/name is required');
  return unknown;
}

async function main() {
  if (!existsSync(deployDir)) die(`${relative(root, deployDir)} does not exist`);
  const version = kubectl(['version', '--client', '-o', 'json']);
  if (version.status !== 0) die(`kubectl version failed: ${version.stderr.trim()}`);
  const client = JSON.parse(version.stdout);
  let schemas;
  try {
    schemas = createRequire(import.meta.url)('kubernetes-models/package.json').version;
  } catch {
    die('the devDependency kubernetes-models is not installed: run npm ci');
  }
  process.stdout.write(
    `kubectl ${client.clientVersion?.gitVersion} (kustomize ${client.kustomizeVersion ?? 'unknown'}), ` +
      `schemas of kubernetes-models ${schemas}\n`,
  );

  const dirs = kustomizations(deployDir);
  if (dirs.length === 0) die(`no kustomization under ${relative(root, deployDir)}`);
  let objects = 0;
  let failures = 0;
  const fail = (line) => {
    failures++;
    process.stdout.write(`FAIL  ${line}\n`);
  };

  for (const dir of dirs) {
    const name = relative(deployDir, dir);
    const rendered = kubectl(['kustomize', dir]);
    if (rendered.status !== 0) {
      fail(`${name}: kubectl kustomize failed: ${rendered.stderr.trim()}`);
      continue;
    }
    const documents = parseAllDocuments(rendered.stdout);
    if (documents.length === 0) fail(`${name}: renders no object`);
    for (const document of documents) {
      if (document.errors.length > 0) {
        fail(`${name}: YAML: ${document.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const object = document.toJS();
      const { apiVersion, kind, metadata = {} } = object ?? {};
      const id = `${name}  ${apiVersion}/${kind}  ${metadata.namespace ?? '(no namespace)'}/${metadata.name}`;
      objects++;
      const model = await modelFor(apiVersion, kind);
      if (!model) {
        fail(`${id}: unknown apiVersion/kind (no Kubernetes schema for it)`);
        continue;
      }
      const problems = problemsOf(model, object);
      if (problems.length > 0) fail(`${id}: ${problems.join('; ')}`);
      else process.stdout.write(`ok    ${id}\n`);
    }
  }

  const summary = `${objects} object(s) in ${dirs.length} kustomization(s)`;
  if (failures > 0) die(`${failures} failure(s), ${summary}`);
  process.stdout.write(`${summary}: all render and match the Kubernetes schemas\n`);
}

await main();
