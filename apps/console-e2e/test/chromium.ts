import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright's own browser download does not work here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the screenshots go: gitignored, kept after the run for people to look at. */
export const ARTIFACTS_DIR = join(__dirname, '..', '..', '..', 'test-artifacts', 'console');

/** Flags this machine needs (as root, no GPU, no background traffic to closed networks). */
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

/**
 * Why the browser tests cannot run here, or null when they can. With
 * `CONSOLE_E2E_REQUIRE_BROWSER=1` (CI) a missing browser is an error, not a skip.
 */
export function browserUnavailable(): string | null {
  const reason = unavailableReason();
  if (reason && process.env.CONSOLE_E2E_REQUIRE_BROWSER === '1') {
    throw new Error(`console-e2e: ${reason}, and CONSOLE_E2E_REQUIRE_BROWSER=1`);
  }
  return reason;
}

function unavailableReason(): string | null {
  if (!existsSync(CHROMIUM_PATH))
    return `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed';
  }
  return null;
}

/** A headless Chromium with a fresh profile; `close()` also deletes the profile. */
export async function launchChromium(): Promise<{
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}> {
  // Loaded here, not at the top: without the package the suite skips instead of failing to load.
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'console-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: LAUNCH_FLAGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return {
    browser: context.browser() as Browser,
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
