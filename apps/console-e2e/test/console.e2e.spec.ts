import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import type { BrowserContext, Page, Request } from 'playwright-core';

import { call, freePort, ServiceProcess } from '../../system-e2e/test/service-process';
import { ARTIFACTS_DIR, browserUnavailable, launchChromium } from './chromium';

// The functions given to page.evaluate/waitForFunction run in the browser; the workspace compiles
// without the DOM lib, so their globals are declared here, for this file only.
declare const document: any, window: any, location: any, localStorage: any, sessionStorage: any;
declare function getComputedStyle(element: unknown): any;
type HTMLElement = any;

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
const USER = { email: 'ada@example.com', password: 'correct horse battery' };
const PHONE = { width: 390, height: 844 };

const unavailable = browserUnavailable();
if (unavailable) {
  // Visible in the test output: a fresh machine without Chromium still passes `npm test`.
  console.warn(`console-e2e: SKIPPED, ${unavailable}. .ci/run installs Chromium with apt.`);
}
const describeInBrowser = unavailable ? describe.skip : describe;

describeInBrowser('web console in Debian Chromium (headless) against the built auth-api', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  /** Console errors, page errors and CSP / Trusted Types violations, from every page. */
  const problems: string[] = [];
  const state: { userId?: string; otherRefresh?: string } = {};

  function watch(target: Page): Page {
    target.on('console', (message) => {
      // Failed requests are reported below, with their URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console: ${message.text()}`);
    });
    target.on('response', (response) => {
      if (response.status() >= 400)
        problems.push(
          `${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`,
        );
    });
    target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // The console confirms destructive actions with the browser's own dialog.
    target.on('dialog', (dialog) => void dialog.accept());
    return target;
  }

  const shot = (target: Page, name: string) =>
    target.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });

  async function adminToken(): Promise<string> {
    return (await call(auth.url, 'POST', '/auth/login', { body: ADMIN })).body.access_token;
  }

  async function signIn(target: Page, who: { email: string; password: string }): Promise<void> {
    await target.goto(`${auth.url}/console#/signin`);
    await target.getByLabel('Email').fill(who.email);
    await target.getByLabel('Password').fill(who.password);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await expectHeading(target, 'Your account');
  }

  async function expectHeading(target: Page, text: string): Promise<void> {
    await target.waitForFunction(
      (expected) => document.querySelector('h1')?.textContent === expected,
      text,
    );
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'console-e2e-'));
    const port = await freePort();
    auth = new ServiceProcess('auth-api', port, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: `http://127.0.0.1:${port}`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await auth.start();
    chromium = await launchChromium();
    context = chromium.context;
    page = watch(context.pages()[0] ?? (await context.newPage()));
  });

  afterAll(async () => {
    await chromium?.close();
    await auth?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the sign-in page, then registers a user who lands on the account page', async () => {
    await page.goto(`${auth.url}/console`);
    await expectHeading(page, 'Sign in');
    await shot(page, '01-sign-in');

    await page.getByRole('link', { name: 'Create an account' }).first().click();
    await expectHeading(page, 'Create an account');
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByLabel('Repeat the password').fill('something else');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('The two passwords differ.').waitFor();
    expect(await page.getByLabel('Repeat the password').getAttribute('aria-invalid')).toBe('true');
    await shot(page, '02-register-error');

    await page.getByLabel('Repeat the password').fill(USER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectHeading(page, 'Your account');
  });

  it('shows the decoded access token, its expiry counting down, and keeps tokens out of page storage', async () => {
    const claims = JSON.parse((await page.locator('#token-claims').textContent()) ?? '{}');
    const header = JSON.parse((await page.locator('#token-header').textContent()) ?? '{}');
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    expect(claims).toMatchObject({
      sub: expect.any(String),
      roles: ['user'],
      sid: expect.any(String),
      client_id: 'auth-api',
      iss: auth.url,
    });
    state.userId = claims.sub;
    await expect(page.getByText(USER.email).first().isVisible()).resolves.toBe(true);

    const countdown = page.getByRole('timer');
    const first = await countdown.textContent();
    expect(first).toMatch(/^1[45]:\d\d$/);
    await page.waitForTimeout(2100);
    expect(await countdown.textContent()).not.toBe(first);

    // The refresh token is in an HttpOnly cookie for /console/session; scripts see neither it nor the access token in storage.
    const refresh = (await context.cookies()).find((c) => c.name === '__Secure-console_rt');
    expect(refresh).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/console/session',
    });
    const visible = await page.evaluate(() => ({
      cookie: document.cookie,
      local: localStorage.length,
      session: sessionStorage.length,
    }));
    expect(visible.cookie).not.toContain('console_rt');
    expect(visible).toMatchObject({ local: 0, session: 0 });
    await shot(page, '03-account');
  });

  it('binds its tokens to a non-extractable DPoP key kept in IndexedDB (RFC 9449)', async () => {
    const sent: Array<{ authorization?: string; dpop?: string }> = [];
    const listener = (request: Request) => {
      const headers = request.headers();
      if (new URL(request.url()).pathname === '/auth/me')
        sent.push({ authorization: headers.authorization, dpop: headers.dpop });
    };
    page.on('request', listener);
    await page.reload();
    await expectHeading(page, 'Your account');
    page.off('request', listener);

    const key = await page.evaluate(async () => {
      const db: any = await new Promise((resolve, reject) => {
        const open = (window as any).indexedDB.open('jwt-token-console');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const record: any = await new Promise((resolve, reject) => {
        const get = db.transaction('keys').objectStore('keys').get('dpop');
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      db.close();
      const exported = await (window as any).crypto.subtle
        .exportKey('jwk', record.privateKey)
        .then(() => 'exported')
        .catch((error: Error) => error.name);
      return {
        type: record.privateKey.type,
        extractable: record.privateKey.extractable,
        exported,
        publicJwk: record.publicJwk,
      };
    });
    expect(key).toMatchObject({
      type: 'private',
      extractable: false,
      exported: 'InvalidAccessError',
    });
    expect(Object.keys(key.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);

    const request = sent.at(-1);
    expect(request?.authorization).toMatch(/^DPoP [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(request?.dpop).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const token = (request?.authorization ?? '').slice('DPoP '.length);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.cnf).toEqual({ jkt: await calculateJwkThumbprint(key.publicJwk) });

    // Carried off the browser, neither the access token nor the refresh cookie works.
    expect((await call(auth.url, 'GET', '/auth/me', { token })).status).toBe(401);
    const cookie = (await context.cookies()).find((c) => c.name === '__Secure-console_rt');
    const stolen = await call(auth.url, 'POST', '/auth/refresh', {
      body: { refresh_token: cookie?.value },
    });
    expect(stolen.status).toBe(401);
    // ...and the refusal ended nothing: the console still refreshes with its key.
    await page.reload();
    await expectHeading(page, 'Your account');
  });

  it('lists the sessions with the current one marked, and revokes another one', async () => {
    const other = await call(auth.url, 'POST', '/auth/login', { body: USER });
    state.otherRefresh = other.body.refresh_token;

    // A reload forgets the in-memory token: the console signs back in through its cookie.
    await page.reload();
    await expectHeading(page, 'Your account');
    const rows = page.locator('section', { hasText: 'Sessions' }).locator('tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const current = rows.filter({ hasText: 'This session' });
    await expect(current.count()).resolves.toBe(1);
    await shot(page, '04a-sessions');

    await rows
      .filter({ hasNotText: 'This session' })
      .getByRole('button', { name: /^Revoke/ })
      .click();
    await page.getByText('Session revoked.').waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.filter({ hasText: 'This session' }).count()).resolves.toBe(1);
    const refused = await call(auth.url, 'POST', '/auth/refresh', {
      body: { refresh_token: state.otherRefresh },
    });
    expect(refused.status).toBe(401);
    await shot(page, '04b-sessions-after-revoke');
  });

  it('is keyboard friendly: a skip link first, a visible focus ring', async () => {
    await page.reload();
    await expectHeading(page, 'Your account');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return {
        text: el.textContent,
        outline: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
      };
    });
    expect(focused).toEqual({ text: 'Skip to content', outline: 'solid', width: 3 });
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // In-page navigation moves focus to the new page's heading.
    await page.getByRole('link', { name: 'auth-api console' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/account');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    const phone = watch(await context.newPage());
    await phone.setViewportSize(PHONE);
    await phone.goto(`${auth.url}/console#/account`);
    await expectHeading(phone, 'Your account');
    await phone.locator('section', { hasText: 'Sessions' }).locator('tbody tr').first().waitFor();
    const width = await phone.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    expect(width.scroll).toBeLessThanOrEqual(width.viewport);
    await shot(phone, '05-account-phone');
    await phone.close();
  });

  it('signs out: the cookie is cleared and the sign-in page says so', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectHeading(page, 'Sign in');
    await page.getByText('You are signed out.').waitFor();
    expect((await context.cookies()).find((c) => c.name === '__Secure-console_rt')).toBeUndefined();
    await page.reload();
    await expectHeading(page, 'Sign in');
  });

  it('signs out when the user revokes the session in use', async () => {
    await signIn(page, USER);
    const current = page
      .locator('section', { hasText: 'Sessions' })
      .locator('tbody tr', { hasText: 'This session' });
    await current.getByRole('button', { name: /^Revoke/ }).click();
    await expectHeading(page, 'Sign in');
    await page
      .getByText('You revoked the session you were using, so you are signed out.')
      .waitFor();
    expect((await context.cookies()).find((c) => c.name === '__Secure-console_rt')).toBeUndefined();
  });

  it('lets an admin promote the user', async () => {
    await signIn(page, ADMIN);
    await page.getByRole('link', { name: 'Users' }).click();
    await expectHeading(page, 'Users');
    const row = page.locator('tbody tr', { hasText: USER.email });
    await row.getByLabel(`Role of ${USER.email}`).selectOption('editor');
    await row.getByRole('button', { name: 'Save role' }).click();
    await page.getByText(`${USER.email} is now an editor.`).waitFor();
    await shot(page, '06-users');

    const user = await call(auth.url, 'GET', `/users/${state.userId}`, {
      token: await adminToken(),
    });
    expect(user.body.roles).toEqual(['editor']);

    // The phone view in the dark colour scheme, to see that one too.
    const phone = watch(await context.newPage());
    await phone.setViewportSize(PHONE);
    await phone.emulateMedia({ colorScheme: 'dark' });
    await phone.goto(`${auth.url}/console#/admin/users`);
    await expectHeading(phone, 'Users');
    await phone.locator('tbody tr').first().waitFor();
    const width = await phone.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    expect(width.scroll).toBeLessThanOrEqual(width.viewport);
    await shot(phone, '07-users-phone-dark');
    await phone.close();
  });

  it('creates a service client and shows its secret once', async () => {
    await page.getByRole('link', { name: 'Clients' }).click();
    await expectHeading(page, 'Service clients');
    await page.getByLabel('Name').fill('reporting');
    await page.getByLabel('Scopes').fill('stats:read');
    await page.getByRole('button', { name: 'Create client' }).click();
    const secret = (await page.locator('#new-client-secret').textContent()) ?? '';
    const clientId = (await page.locator('#new-client-id').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.locator('tbody tr', { hasText: clientId }).waitFor();
    await shot(page, '08-clients');

    const token = await call(auth.url, 'POST', '/oauth/token', {
      form: { grant_type: 'client_credentials' },
      basic: [clientId, secret],
    });
    expect(token.status).toBe(200);
    // Shown once: the list never carries it, and leaving the page forgets it.
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.locator('tbody tr', { hasText: clientId }).waitFor();
    expect(await page.content()).not.toContain(secret);
  });

  it('lists the signing keys and rotates them', async () => {
    await page.getByRole('link', { name: 'Keys' }).click();
    await expectHeading(page, 'Signing keys');
    const rows = page.locator('tbody tr');
    await rows.nth(1).waitFor();
    await expect(rows.count()).resolves.toBe(2);
    const next = (await rows.first().locator('code').textContent()) ?? '';
    await page.getByRole('button', { name: 'Rotate signing key' }).click();
    await page.getByText(`Rotated: new tokens are signed with ${next}.`).waitFor();
    await expect(rows.count()).resolves.toBe(3);
    expect(await rows.locator('.badge').allTextContents()).toEqual(['next', 'active', 'retired']);
    await shot(page, '09-keys');
  });

  it('shows the audit log', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expectHeading(page, 'Audit log');
    await page.locator('tbody tr', { hasText: 'key.rotated' }).first().waitFor();
    await page.locator('tbody tr', { hasText: 'user.roles_changed' }).first().waitFor();
    await page.getByLabel('Event type').selectOption('session.revoked');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('tbody tr')].every((row) =>
        row.textContent?.includes('session.revoked'),
      ),
    );
    await page.getByLabel('Event type').selectOption('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('tbody tr', { hasText: 'key.rotated' }).first().waitFor();
    await shot(page, '10-audit');
  });

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(problems).toEqual([]);
  });
});
