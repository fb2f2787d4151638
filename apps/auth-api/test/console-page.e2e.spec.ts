import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startAuthApi, type TestAuthApi } from './harness';

const ASSETS = join(__dirname, '..', 'public', 'console', 'assets');

/** Directives of a CSP header, by name. */
function csp(header: string): Map<string, string[]> {
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('auth-api console: the page, its files and their headers', () => {
  let api: TestAuthApi;

  beforeAll(async () => {
    api = await startAuthApi();
  });
  afterAll(() => api.close());

  function expectConsoleHeaders(headers: Record<string, string>): void {
    const policy = csp(headers['content-security-policy']);
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('require-trusted-types-for')).toEqual(["'script'"]);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(headers['x-request-id']).toBeDefined();
  }

  it('serves the page at /console with a strict CSP and Helmet-style headers', async () => {
    const res = await api.http().get('/console').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expectConsoleHeaders(res.headers);
    expect(res.text).toContain('<main id="main"');
  });

  it('references only external scripts and styles: no inline script, style or event handler', async () => {
    const html = (await api.http().get('/console').expect(200)).text;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/console\/assets\/[\w.-]+\.js"/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    const stylesheets = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/gi)].map(
      ([tag]) => tag,
    );
    expect(stylesheets).toHaveLength(1);
    expect(stylesheets[0]).toMatch(/href="\/console\/assets\/[\w.-]+\.css"/);

    // Every file the page points at is served, with the right type and the same headers.
    const referenced = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map(
      ([, path]) => path,
    );
    for (const path of referenced) {
      const file = await api.http().get(path).expect(200);
      expectConsoleHeaders(file.headers);
    }
  });

  it('serves the scripts as JavaScript modules that never use HTML sinks, eval or web storage', async () => {
    const scripts = readdirSync(ASSETS).filter((name) => name.endsWith('.js'));
    expect(scripts).toContain('main.js');
    for (const name of scripts) {
      const res = await api.http().get(`/console/assets/${name}`).expect(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      const source = readFileSync(join(ASSETS, name), 'utf8');
      expect(res.text).toBe(source);
      // Tokens stay in memory: no localStorage/sessionStorage. No HTML strings, no eval.
      expect(source).not.toMatch(
        /localStorage|sessionStorage|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
      );
      // Every relative import names a file that is served.
      for (const [, imported] of source.matchAll(/from '\.\/([\w.-]+\.js)'/g))
        expect(scripts).toContain(imported);
    }
    const css = await api.http().get('/console/assets/console.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await api.http().get('/console/assets/main.js').expect(200);
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    await api
      .http()
      .get('/console/assets/main.js')
      .set('If-None-Match', first.headers.etag)
      .expect(304);
  });

  it.each([
    '/console/assets/nope.js',
    '/console/assets/..%2Findex.html',
    '/console/assets/index.html',
    '/console/nope',
  ])('answers 404 for %s, still with the console headers', async (path) => {
    const res = await api.http().get(path).expect(404);
    expect(res.body.error).toBe('not_found');
    expectConsoleHeaders(res.headers);
  });

  it('redirects /console/ to /console', async () => {
    const res = await api.http().get('/console/').expect(301);
    expect(res.headers.location).toBe('/console');
  });

  it('leaves the rest of the API and the Swagger UI (inline scripts) without the console CSP', async () => {
    const docs = await api.http().get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toBeUndefined();
    const health = await api.http().get('/health').expect(200);
    expect(health.headers['content-security-policy']).toBeUndefined();
  });

  it('keeps the console out of the OpenAPI document', async () => {
    const doc = await api.http().get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths).filter((path) => path.startsWith('/console'))).toEqual([]);
    expect(doc.body.paths['/keys'].get).toBeDefined();
  });
});
