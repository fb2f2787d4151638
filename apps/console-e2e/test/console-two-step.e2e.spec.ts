import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

import { call, freePort, ServiceProcess } from '../../system-e2e/test/service-process';
import { ARTIFACTS_DIR, browserUnavailable, launchChromium } from './chromium';

declare const document: any;

const USER = { email: 'tess@example.com', password: 'correct horse battery' };
const OATHTOOL = '/usr/bin/oathtool';

/** The code Debian's oathtool computes: the other side of the enrolment is not ours. */
function oathtool(secret: string, atMs: number): string {
  return execFileSync(
    OATHTOOL,
    ['--totp', '--base32', secret, '--now', `@${Math.floor(atMs / 1000)}`],
    {
      encoding: 'utf8',
    },
  ).trim();
}

function unavailableHere(): string | null {
  const browser = browserUnavailable();
  if (browser) return browser;
  if (existsSync(OATHTOOL)) return null;
  if (process.env.TEST_REQUIRE_ORACLES === '1')
    throw new Error('console two-step suite: no oathtool, and TEST_REQUIRE_ORACLES=1');
  return 'no oathtool (apt-get install oathtool)';
}

const unavailable = unavailableHere();
if (unavailable) console.warn(`console-e2e two-step: SKIPPED, ${unavailable}.`);
const describeInBrowser = unavailable ? describe.skip : describe;

describeInBrowser('web console: two-step verification in Debian Chromium', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let secret = '';
  let recoveryCodes: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'console-two-step-'));
    const port = await freePort();
    auth = new ServiceProcess('auth-api', port, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: `http://127.0.0.1:${port}`,
    });
    await auth.start();
    await call(auth.url, 'POST', '/auth/register', { body: USER });
    chromium = await launchChromium();
    context = chromium.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });

  afterAll(async () => {
    await chromium?.close();
    await auth?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const heading = (text: string) =>
    page.waitForFunction(
      (expected) => document.querySelector('h1')?.textContent === expected,
      text,
    );

  async function passwordStep(): Promise<void> {
    await page.goto(`${auth.url}/console#/signin`);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('sets up an authenticator from the account page: QR code, key, confirmation, recovery codes', async () => {
    await passwordStep();
    await heading('Your account');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code of the authenticator secret' }).waitFor();
    secret = ((await page.locator('code.mono').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from the app').fill(oathtool(secret, Date.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-step verification is on.').waitFor();
    recoveryCodes = await page
      .getByRole('list', { name: 'Recovery codes' })
      .locator('li')
      .allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'two-step-enrolled.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
  });

  it('asks for the code after the password; a wrong one is refused, the right one signs in with amr mfa', async () => {
    await passwordStep();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    const codeField = page.getByLabel('Code from your authenticator app, or a recovery code');
    await codeField.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code is not right.').waitFor();
    // The next step's code: the confirmation spent the current one (a code is accepted once).
    await codeField.fill(oathtool(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Your account');
    const claims = JSON.parse((await page.locator('#token-claims').textContent()) ?? '{}');
    expect(claims).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: '2' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
  });

  it('signs in with a recovery code instead', async () => {
    await passwordStep();
    await page
      .getByLabel('Code from your authenticator app, or a recovery code')
      .fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Your account');
    await page.getByText('9 recovery codes left.').waitFor();
  });

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(problems).toEqual([]);
  });
});
