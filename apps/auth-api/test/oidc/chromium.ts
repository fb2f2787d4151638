import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/**
 * Debian's Chromium, as apps/console-e2e uses it (that project's helper cannot be imported from
 * an app: module boundaries). `.ci/run` installs it and sets CONSOLE_E2E_REQUIRE_BROWSER=1, so
 * in CI a missing browser fails instead of skipping.
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What this machine needs: root (no sandbox), no GPU, no background traffic to closed networks. */
const LAUNCH_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser suite cannot run here, or null when it can. */
export function browserUnavailable(): string | null {
  let reason: string | null = null;
  if (!existsSync(CHROMIUM_PATH)) reason = `no Chromium at ${CHROMIUM_PATH}`;
  else {
    try {
      require.resolve('playwright-core');
    } catch {
      reason = 'playwright-core is not installed';
    }
  }
  if (reason && process.env.CONSOLE_E2E_REQUIRE_BROWSER === '1')
    throw new Error(`oidc browser suite: ${reason}, and CONSOLE_E2E_REQUIRE_BROWSER=1`);
  return reason;
}

/** A headless Chromium with a fresh profile; `close()` deletes the profile too. */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  // Loaded here, not at the top: without the package the suite skips instead of failing to load.
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'oidc-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: LAUNCH_FLAGS,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
