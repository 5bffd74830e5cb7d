import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

/** Debian's Chromium, driven by playwright-core for the browser tests. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

/**
 * Tests that need a system package skip locally with a one-line reason, and fail under CI=true, where .ci/run
 * installs everything the suite needs.
 */
export function requireSystemPackage(t: TestContext, what: string, available: boolean): boolean {
  if (available) return true;
  const reason = `${what} is not installed (apt-get install -y ${what})`;
  if (process.env.CI === 'true') throw new Error(`CI: ${reason}`);
  t.skip(reason);
  return false;
}
