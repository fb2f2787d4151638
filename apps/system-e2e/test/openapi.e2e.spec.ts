import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, ServiceProcess } from './service-process';

const DOCS = join(__dirname, '..', '..', '..', 'docs', 'openapi');

/** The committed documents (`npm run openapi`) must be what the running services serve. */
describe('OpenAPI documents', () => {
  let dataDir: string;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openapi-e2e-'));
    const authPort = await freePort();
    services = [
      new ServiceProcess('auth-api', authPort, {
        DATA_DIR: dataDir,
        AUTH_ISSUER: `http://127.0.0.1:${authPort}`,
      }),
      new ServiceProcess('resource-api', await freePort(), {
        AUTH_ISSUER: `http://127.0.0.1:${authPort}`,
      }),
    ];
    for (const service of services) await service.start();
  });

  afterAll(async () => {
    for (const service of services) await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([0, 1])(
    'service %i serves at /docs-json exactly the committed docs/openapi document, and a UI at /docs',
    async (index) => {
      const service = services[index];
      const served = await (await fetch(`${service.url}/docs-json`)).json();
      const committed = JSON.parse(readFileSync(join(DOCS, `${service.name}.json`), 'utf8'));
      expect(served).toEqual(committed);
      const ui = await fetch(`${service.url}/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger');
    },
  );

  it('documents every contract route, bearer auth on guarded ones and none on public ones', () => {
    const auth = JSON.parse(readFileSync(join(DOCS, 'auth-api.json'), 'utf8'));
    const operation = (path: string, method: string) => auth.paths[path]?.[method];
    for (const [path, method] of [
      ['/auth/register', 'post'],
      ['/auth/login', 'post'],
      ['/auth/refresh', 'post'],
      ['/auth/logout', 'post'],
      ['/auth/logout-all', 'post'],
      ['/auth/me', 'get'],
      ['/auth/sessions', 'get'],
      ['/auth/sessions/{id}', 'delete'],
      ['/auth/password', 'post'],
      ['/users', 'get'],
      ['/users/{id}', 'patch'],
      ['/clients', 'post'],
      ['/keys/rotate', 'post'],
      ['/oauth/token', 'post'],
      ['/oauth/revoke', 'post'],
      ['/oauth/introspect', 'post'],
      ['/.well-known/jwks.json', 'get'],
      ['/.well-known/oauth-authorization-server', 'get'],
      ['/health', 'get'],
      ['/health/ready', 'get'],
    ]) {
      expect(operation(path, method)).toBeDefined();
    }
    expect(auth.security).toEqual([{ bearer: [] }]);
    expect(operation('/auth/login', 'post').security).toEqual([]);
    expect(operation('/auth/me', 'get').security).toBeUndefined();
    expect(auth.components.schemas.RegisterDto.required).toEqual(['email', 'password']);
    expect(
      operation('/oauth/token', 'post').responses['400'].content['application/json'].schema.$ref,
    ).toBe('#/components/schemas/OAuthErrorDto');
    expect(
      operation('/auth/me', 'get').responses['401'].content['application/json'].schema.$ref,
    ).toBe('#/components/schemas/ApiErrorDto');

    const resource = JSON.parse(readFileSync(join(DOCS, 'resource-api.json'), 'utf8'));
    expect(resource.paths['/articles'].get.security).toEqual([]);
    expect(resource.paths['/articles'].post.security).toBeUndefined();
    expect(resource.paths['/articles'].delete.security).toBeUndefined();
    expect(resource.paths['/internal/stats'].get).toBeDefined();
  });
});
