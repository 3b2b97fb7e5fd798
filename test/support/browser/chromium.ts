/**
 * The one way every browser test starts headless Chromium, so `npm test` needs no system
 * install. Chromium is found, in this order, at:
 *
 * 1. `CHROMIUM_PATH`, when set (it must exist: a wrong path is an error, not a fallback);
 * 2. `/usr/bin/chromium` (Debian's `chromium` package), when present;
 * 3. the devDependency `@sparticuz/chromium`, which ships a compressed Chromium and unpacks it
 *    to the system's temporary folder on first use (about a second), launched with its `args`.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where the Chromium to launch comes from, and its executable. */
export interface ChromiumLocation {
  readonly source: 'CHROMIUM_PATH' | '/usr/bin/chromium' | '@sparticuz/chromium';
  readonly executablePath: string;
  /** Command-line switches this build needs to run headless in a container. */
  readonly args: readonly string[];
}

/** Debian's `chromium` package puts the browser here. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Switches for a system Chromium: no sandbox (containers run as root), no background traffic. */
const SYSTEM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Finds the Chromium to launch (see the module comment for the order). `env` and `exists` are
 * parameters so the order itself can be tested without touching the machine.
 */
export async function locateChromium(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): Promise<ChromiumLocation> {
  const configured = env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== '') {
    if (!exists(configured)) {
      throw new Error(`CHROMIUM_PATH is ${configured}, which does not exist: fix it, or unset it to use ${SYSTEM_CHROMIUM} or @sparticuz/chromium`);
    }
    return { source: 'CHROMIUM_PATH', executablePath: configured, args: SYSTEM_ARGS };
  }
  if (exists(SYSTEM_CHROMIUM)) {
    return { source: SYSTEM_CHROMIUM, executablePath: SYSTEM_CHROMIUM, args: SYSTEM_ARGS };
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  // --single-process (for Lambda) crashes the browser when a test closes one of several contexts.
  const args = packaged.args.filter((arg) => arg !== '--single-process');
  return { source: '@sparticuz/chromium', executablePath: await packaged.executablePath(), args };
}

/** Launches headless Chromium found by {@link locateChromium}. */
export async function launchChromium(): Promise<Browser> {
  const location = await locateChromium();
  return chromium.launch({ executablePath: location.executablePath, args: [...location.args], headless: true });
}
