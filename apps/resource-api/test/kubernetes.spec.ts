import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type AppName, READS, readsNotInSources, ROOT } from './app-variables';
import {
  allContainers,
  environmentOf,
  find,
  healthRoutes,
  type K8sObject,
  mainContainer,
  podSpec,
  portNumber,
  preStopSeconds,
  readKustomization,
  render,
  selects,
} from './kubernetes-manifests';

/**
 * Keeps deploy/kubernetes in step with the apps: every variable set is one the app reads, secrets
 * only by reference, probes on endpoints that exist, the shutdown fits the grace period, the
 * NetworkPolicies say what the README says. Runs on the files themselves (no kubectl needed),
 * and, where kubectl is installed, again on the production overlay as `kubectl kustomize`
 * renders it (patches, generated names, namespace). Schema validation is `npm run k8s:check`.
 */
const DEPLOY = join(ROOT, 'deploy', 'kubernetes');
const OVERLAY = join(DEPLOY, 'overlays', 'production');
const APPS: readonly AppName[] = ['auth-api', 'resource-api'];
const PORTS: Record<AppName, number> = { 'auth-api': 3000, 'resource-api': 3001 };
/** Never a literal value in a manifest; never in a ConfigMap. */
const SECRETS = [
  'KEY_ENCRYPTION_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
];
/** auth-api cannot run on Kubernetes without these (PostgreSQL, Redis, one sealing key for all). */
const REQUIRED_SECRETS = ['KEY_ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL'];

/** SHUTDOWN_DEADLINE_MS of libs/service-kit/src/service-app.ts, read from its text. */
const SHUTDOWN_DEADLINE_SECONDS = (() => {
  const source = readFileSync(join(ROOT, 'libs', 'service-kit', 'src', 'service-app.ts'), 'utf8');
  const ms = /SHUTDOWN_DEADLINE_MS\s*=\s*([\d_]+)/.exec(source)?.[1];
  if (!ms) throw new Error('SHUTDOWN_DEADLINE_MS not found in libs/service-kit/src/service-app.ts');
  return Number(ms.replace(/_/g, '')) / 1000;
})();

const KUBE_DNS = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PORTS = [
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
];

// --- The checks, on both readings ------------------------------------------------------------

const rendered = render(OVERLAY);
const readings: Array<[string, () => K8sObject[]]> = [
  ['deploy/kubernetes (base and overlay files, read directly)', () => readKustomization(OVERLAY)],
];
if (typeof rendered !== 'string')
  readings.push([
    'deploy/kubernetes/overlays/production (rendered by kubectl kustomize)',
    () => rendered,
  ]);
else
  it.skip(`deploy/kubernetes/overlays/production rendered by kubectl (skipped: ${rendered})`, () =>
    undefined);

describe.each(readings)('%s', (_, load) => {
  const objects = load();

  it('holds each app’s Deployment, Service, PodDisruptionBudget, autoscaler and NetworkPolicy, and no Secret', () => {
    for (const app of APPS)
      for (const kind of [
        'Deployment',
        'Service',
        'PodDisruptionBudget',
        'HorizontalPodAutoscaler',
        'NetworkPolicy',
        'ServiceAccount',
      ])
        expect(() => find(objects, kind, app)).not.toThrow();
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it.each(APPS)('sets on %s only variables the app reads (init containers included)', (app) => {
    for (const container of allContainers(objects, app)) {
      const unknown = [...environmentOf(objects, container).keys()].filter(
        (name) => !READS[app].includes(name),
      );
      expect([container.name, unknown]).toEqual([container.name, []]);
    }
  });

  it('takes secrets only from Secrets by key, never as values or from ConfigMaps', () => {
    for (const app of APPS)
      for (const container of allContainers(objects, app))
        for (const [name, source] of environmentOf(objects, container))
          if (SECRETS.includes(name))
            expect([container.name, name, source.from]).toEqual([
              container.name,
              name,
              'secretKeyRef',
            ]);
    for (const configMap of objects.filter((o) => o.kind === 'ConfigMap'))
      expect(Object.keys(configMap.data ?? {}).filter((key) => SECRETS.includes(key))).toEqual([]);
    const auth = environmentOf(objects, mainContainer(objects, 'auth-api'));
    for (const name of REQUIRED_SECRETS)
      expect([name, auth.get(name)?.secretKeyRef?.optional ?? false]).toEqual([name, false]);
  });

  it.each(APPS)('runs %s on its port, with probes on endpoints the app serves', (app) => {
    const container = mainContainer(objects, app);
    const env = environmentOf(objects, container);
    expect(env.get('PORT')?.value).toBe(String(PORTS[app]));
    expect(env.get('HOST')?.value).toBe('0.0.0.0');
    const routes = healthRoutes(app);
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      expect([probe, portNumber(container, container[probe]?.httpGet?.port)]).toEqual([
        probe,
        PORTS[app],
      ]);
      expect(routes).toContain(container[probe].httpGet.path);
    }
    const service = find(objects, 'Service', app);
    expect(
      service.spec.ports.map((p: any) => [p.port, portNumber(container, p.targetPort)]),
    ).toEqual([[PORTS[app], PORTS[app]]]);
    expect(
      selects(
        service.spec.selector,
        find(objects, 'Deployment', app).spec.template.metadata.labels,
      ),
    ).toBe(true);
  });

  it('probes auth-api: liveness on the process alone, readiness on database and signing key', () => {
    const container = mainContainer(objects, 'auth-api');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
  });

  it.each(APPS)(
    'locks %s down: non-root, read-only root filesystem, no privilege, no API token',
    (app) => {
      const pod = podSpec(objects, app);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.hostNetwork ?? false).toBe(false);
      for (const container of allContainers(objects, app)) {
        const context = { ...pod.securityContext, ...container.securityContext };
        expect([container.name, context]).toMatchObject([
          container.name,
          { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        ]);
        expect([container.name, container.securityContext]).toMatchObject([
          container.name,
          {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
        ]);
        expect(container.securityContext.privileged ?? false).toBe(false);
        const tmp = container.volumeMounts?.find((m: any) => m.mountPath === '/tmp');
        expect(pod.volumes.find((v: any) => v.name === tmp?.name)?.emptyDir).toBeDefined();
        expect(container.resources?.requests?.cpu).toBeDefined();
        expect(container.resources?.limits?.memory).toBeDefined();
      }
    },
  );

  it.each(APPS)(
    'lets %s finish its requests: preStop, then SIGTERM, well within the grace period',
    (app) => {
      const preStop = preStopSeconds(mainContainer(objects, app));
      expect(preStop).toBeGreaterThan(0);
      // Endpoint removal (preStop) + the app's own shutdown deadline, and 5 s to spare.
      expect(podSpec(objects, app).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        preStop! + SHUTDOWN_DEADLINE_SECONDS + 5,
      );
      const strategy = find(objects, 'Deployment', app).spec.strategy;
      expect(strategy).toMatchObject({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0 },
      });
    },
  );

  it('migrates in an init container: db:migrate, same image, same settings and database as the service', () => {
    const pod = podSpec(objects, 'auth-api');
    const main = mainContainer(objects, 'auth-api');
    expect(pod.initContainers).toHaveLength(1);
    const [migrate] = pod.initContainers;
    expect(migrate.command).toEqual(['node', 'dist/apps/auth-api/cli.js', 'db:migrate']);
    expect(migrate.image).toBe(main.image);
    expect(migrate.envFrom).toEqual(main.envFrom);
    const migrateEnv = environmentOf(objects, migrate);
    const mainEnv = environmentOf(objects, main);
    for (const name of ['DATABASE_URL', 'KEY_ENCRYPTION_KEY'])
      expect([name, migrateEnv.get(name)]).toEqual([name, mainEnv.get(name)]);
    // The command exists in the CLI the image carries.
    expect(
      readFileSync(join(ROOT, 'apps', 'auth-api', 'src', 'cli', 'cli.commands.ts'), 'utf8'),
    ).toContain("'db:migrate': {");
  });

  it('lets resource-api fetch keys from the auth-api Service while trusting the same issuer, audience and algorithm', () => {
    const auth = environmentOf(objects, mainContainer(objects, 'auth-api'));
    const resource = environmentOf(objects, mainContainer(objects, 'resource-api'));
    for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'JWT_ALG']) {
      expect(auth.get(name)?.value).toBeDefined();
      expect([name, resource.get(name)?.value]).toEqual([name, auth.get(name)?.value]);
    }
    const jwks = new URL(resource.get('AUTH_JWKS_URI')!.value!);
    expect([jwks.hostname, Number(jwks.port), jwks.pathname]).toEqual([
      find(objects, 'Service', 'auth-api').metadata.name,
      find(objects, 'Service', 'auth-api').spec.ports[0].port,
      '/.well-known/jwks.json',
    ]);
  });

  it.each(APPS)(
    'scales %s on CPU, never below two pods, and keeps disruptions to one pod',
    (app) => {
      const deployment = find(objects, 'Deployment', app);
      // The autoscaler owns the count; a `replicas` here would be reset by every apply.
      expect(deployment.spec.replicas).toBeUndefined();
      const autoscaler = find(objects, 'HorizontalPodAutoscaler', app);
      expect(autoscaler.apiVersion).toBe('autoscaling/v2');
      expect(autoscaler.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: app,
      });
      expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(autoscaler.spec.metrics.map((m: any) => m.resource?.name)).toEqual(['cpu']);
      const budget = find(objects, 'PodDisruptionBudget', app);
      expect(budget.spec.maxUnavailable ?? budget.spec.minAvailable).toBe(1);
      expect(
        selects(budget.spec.selector.matchLabels, deployment.spec.template.metadata.labels),
      ).toBe(true);
    },
  );

  it('spreads auth-api pods across nodes', () => {
    const spread = podSpec(objects, 'auth-api').topologySpreadConstraints ?? [];
    expect(spread.map((c: any) => c.topologyKey)).toContain('kubernetes.io/hostname');
  });

  describe('NetworkPolicy', () => {
    const policies = () => objects.filter((o) => o.kind === 'NetworkPolicy');
    const labelsOf = (app: AppName) =>
      find(objects, 'Deployment', app).spec.template.metadata.labels;
    const egressOf = (app: AppName) =>
      policies()
        .filter((p) => selects(p.spec.podSelector.matchLabels, labelsOf(app)))
        .filter((p) => p.spec.policyTypes.includes('Egress'))
        .flatMap((p) => p.spec.egress ?? []);

    it.each(APPS)('denies %s all traffic by default (ingress and egress)', (app) => {
      const deny = policies().filter(
        (p) =>
          selects(p.spec.podSelector.matchLabels, labelsOf(app)) &&
          !p.spec.ingress &&
          !p.spec.egress,
      );
      expect(deny.map((p) => [...p.spec.policyTypes].sort())).toContainEqual(['Egress', 'Ingress']);
    });

    it('lets resource-api reach auth-api on its port and DNS, and nothing else', () => {
      expect(egressOf('resource-api')).toEqual([
        {
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'auth-api' } } }],
          ports: [{ port: 3000, protocol: 'TCP' }],
        },
        { to: [KUBE_DNS], ports: DNS_PORTS },
      ]);
      // …and auth-api admits it on that port.
      const admitting = policies()
        .filter((p) => selects(p.spec.podSelector.matchLabels, labelsOf('auth-api')))
        .flatMap((p) => p.spec.ingress ?? [])
        .filter((rule: any) => rule.ports?.some((port: any) => port.port === 3000))
        .filter(
          (rule: any) =>
            !rule.from ||
            rule.from.some((peer: any) =>
              selects(peer.podSelector?.matchLabels, labelsOf('resource-api')),
            ),
        );
      expect(admitting.length).toBeGreaterThan(0);
    });

    it('lets auth-api reach DNS, PostgreSQL and Redis only, each rule on its own port', () => {
      const egress = egressOf('auth-api');
      expect(egress.every((rule: any) => rule.to?.length > 0 && rule.ports?.length > 0)).toBe(true);
      expect(egress.flatMap((rule: any) => rule.ports.map((p: any) => p.port)).sort()).toEqual([
        53, 53, 5432, 6379,
      ]);
      expect(
        egress
          .filter((rule: any) => rule.to.some((peer: any) => peer.ipBlock))
          .map((rule: any) => rule.ports),
      ).toEqual([[{ port: 5432, protocol: 'TCP' }], [{ port: 6379, protocol: 'TCP' }]]);
    });
  });
});

if (typeof rendered !== 'string') {
  describe('the production overlay as rendered', () => {
    it('pins images to a tag or digest, never latest, and puts everything in one namespace', () => {
      const images = APPS.flatMap((app) =>
        allContainers(rendered, app).map((c) => c.image as string),
      );
      for (const image of images)
        expect(image).toMatch(/(:(?!latest$)[\w.-]+|@sha256:[0-9a-f]{64})$/);
      expect(new Set(rendered.map((o) => o.metadata.namespace))).toEqual(new Set(['jwt-token']));
    });

    it('narrows auth-api egress to the database addresses, and serves the public issuer over https', () => {
      const cidrs = find(rendered, 'NetworkPolicy', 'auth-api')
        .spec.egress.flatMap((rule: any) => rule.to)
        .filter((peer: any) => peer.ipBlock)
        .map((peer: any) => peer.ipBlock.cidr);
      expect(cidrs).not.toContain('0.0.0.0/0');
      const issuer = new URL(
        environmentOf(rendered, mainContainer(rendered, 'auth-api')).get('AUTH_ISSUER')!.value!,
      );
      expect(issuer.protocol).toBe('https:');
      const ingress = find(rendered, 'Ingress', 'jwt-token');
      expect(ingress.spec.rules.map((rule: any) => rule.host)).toContain(issuer.hostname);
    });
  });
}

describe.each(APPS)('the variables %s is said to read', (app) => {
  it(`are read in apps/${app}/src or libs/service-kit/src`, () => {
    expect(readsNotInSources(app)).toEqual([]);
  });
});
