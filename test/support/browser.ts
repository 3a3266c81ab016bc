import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, as .ci/run installs it (`npx playwright install` cannot download here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** A headless chromium for the console's tests. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
