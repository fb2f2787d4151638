import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

import { type AppName, ROOT } from './app-variables';

/**
 * Reading deploy/kubernetes for kubernetes.spec.ts: the files themselves (no kubectl), or the
 * output of `kubectl kustomize`; and looking up what a pod gets from them.
 */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: any };
} & Record<string, any>;
export type Container = Record<string, any>;

// --- Reading the files without kubectl -----------------------------------------------------

interface Kustomization {
  resources?: string[];
  configMapGenerator?: Array<{ name: string; behavior?: string; literals?: string[] }>;
}

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as K8sObject)
    .filter(Boolean);
}

function literalsToData(literals: string[] = []): Record<string, string> {
  return Object.fromEntries(
    literals.map((literal) => [
      literal.slice(0, literal.indexOf('=')),
      literal.slice(literal.indexOf('=') + 1),
    ]),
  );
}

/**
 * The objects a kustomization holds: its resources (files, or other kustomizations) and its
 * generated ConfigMaps, `behavior: merge` merged. Patches are left to the rendered check.
 */
export function readKustomization(dir: string): K8sObject[] {
  const kustomization = parse(
    readFileSync(join(dir, 'kustomization.yaml'), 'utf8'),
  ) as Kustomization;
  const objects = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return existsSync(join(path, 'kustomization.yaml'))
      ? readKustomization(path)
      : readObjects(path);
  });
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data = literalsToData(generator.literals);
    const existing = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === generator.name,
    );
    if (generator.behavior === 'merge' || generator.behavior === 'replace') {
      if (!existing)
        throw new Error(`${dir}: ${generator.behavior} of unknown ConfigMap ${generator.name}`);
      existing.data = generator.behavior === 'merge' ? { ...existing.data, ...data } : data;
    } else {
      objects.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: generator.name },
        data,
      });
    }
  }
  return objects;
}

/** A kustomization as kubectl renders it, or why it cannot be rendered here. */
export function render(dir: string): K8sObject[] | string {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (result.error) return `kubectl unavailable: ${result.error.message}`;
  if (result.status !== 0) throw new Error(`kubectl kustomize failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as K8sObject);
}

// --- Looking things up in a set of objects --------------------------------------------------

export const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
export const podSpec = (objects: K8sObject[], app: AppName) =>
  find(objects, 'Deployment', app).spec.template.spec;
export const mainContainer = (objects: K8sObject[], app: AppName): Container =>
  podSpec(objects, app).containers.find((c: Container) => c.name === app);
export const allContainers = (objects: K8sObject[], app: AppName): Container[] => [
  ...(podSpec(objects, app).initContainers ?? []),
  ...podSpec(objects, app).containers,
];

export interface EnvSource {
  value?: string;
  secretKeyRef?: { name: string; key: string; optional?: boolean };
  from: string;
}

/** Each variable a container gets, with where it comes from (env wins over envFrom, as in Kubernetes). */
export function environmentOf(objects: K8sObject[], container: Container): Map<string, EnvSource> {
  const env = new Map<string, EnvSource>();
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) {
      // A whole Secret gives variables nobody can list from the manifests: refused.
      env.set(`<every key of Secret ${source.secretRef.name}>`, { from: 'secretRef' });
      continue;
    }
    const configMap = find(objects, 'ConfigMap', source.configMapRef.name);
    for (const [name, value] of Object.entries(configMap.data ?? {}))
      env.set(`${source.prefix ?? ''}${name}`, {
        value: String(value),
        from: `ConfigMap ${source.configMapRef.name}`,
      });
  }
  for (const variable of container.env ?? []) {
    if ('value' in variable)
      env.set(variable.name, { value: String(variable.value), from: 'value' });
    else if (variable.valueFrom?.secretKeyRef)
      env.set(variable.name, {
        secretKeyRef: variable.valueFrom.secretKeyRef,
        from: 'secretKeyRef',
      });
    else if (variable.valueFrom?.configMapKeyRef) {
      const { name, key } = variable.valueFrom.configMapKeyRef;
      env.set(variable.name, {
        value: find(objects, 'ConfigMap', name).data?.[key],
        from: `ConfigMap ${name}`,
      });
    } else env.set(variable.name, { from: 'other' });
  }
  return env;
}

/** A container port by number or by name. */
export function portNumber(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p: { name?: string }) => p.name === port)?.containerPort;
}

/** The paths the app's health controller serves: `@Controller('health')` + each `@Get(...)`. */
export function healthRoutes(app: AppName): string[] {
  const dir = join(ROOT, 'apps', app, 'src', 'health');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.controller.ts'))
    .flatMap((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      const base = /@Controller\(\s*'([^']*)'\s*\)/.exec(source)?.[1] ?? '';
      return [...source.matchAll(/@Get\(\s*(?:'([^']*)')?\s*\)/g)].map((m) =>
        `/${[base, m[1]].filter(Boolean).join('/')}`.replace(/\/+/g, '/'),
      );
    });
}

/** Seconds a container's preStop hook takes: `sleep N` by exec, or the native sleep action. */
export function preStopSeconds(container: Container): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return Number(preStop.sleep.seconds);
  const command: string[] | undefined = preStop?.exec?.command;
  if (command?.length === 2 && /(^|\/)sleep$/.test(command[0])) return Number(command[1]);
  return undefined;
}

export const selects = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
) => Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
