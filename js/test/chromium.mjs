// Headless Debian Chromium for the browser tests (driven by playwright-core; scripts/test-js-extra.sh
// installs the browser when it is missing).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** The Chromium executable: `CHROMIUM_PATH`, or Debian's. */
export const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Fails with what to do when Chromium is not installed. */
export function assertChromium() {
  assert.ok(
    existsSync(executablePath),
    `Chromium not found at ${executablePath}. Run ./scripts/test-js-extra.sh as root (it installs Debian's chromium), ` +
      `or \`apt-get install -y --no-install-recommends chromium\`, or set CHROMIUM_PATH to a Chromium executable.`,
  );
}

/**
 * Launches Chromium headless in a fresh profile (`options` go to playwright's
 * launchPersistentContext, e.g. a viewport). `close()` closes the browser (errors are printed,
 * not thrown) and removes the profile.
 */
export async function launchChromium(options = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'payplan-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      ...options,
    });
    context.setDefaultTimeout(30_000);
    const close = async () => {
      await withTimeout(context.close(), 15_000, 'closing Chromium').catch((e) => console.error(e.message));
      rmSync(userDataDir, { recursive: true, force: true });
    };
    return { context, close };
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Records the page's uncaught errors and console errors and warnings in `list`, after `prefix`. */
export function watchPage(page, list, prefix = '') {
  page.on('pageerror', (e) => list.push(`${prefix}${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') list.push(`${prefix}console.${m.type()}: ${m.text()}`);
  });
}

/** `promise`, or a rejection naming `what` after `ms` milliseconds. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
