import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it), or HOTLINE_TEST_CHROMIUM. */
export const CHROMIUM = process.env.HOTLINE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Fails (never skips) when Chromium is missing, saying how to get it. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set HOTLINE_TEST_CHROMIUM`);
}

/** The project's headless Chromium, with nothing reaching out to the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
