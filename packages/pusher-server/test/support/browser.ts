import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests leave their screenshots (ignored by git). */
export const OUTPUT_DIR = fileURLToPath(new URL('../../test-results/debug-console/', import.meta.url));

/**
 * Debian's Chromium, installed with apt-get when missing (CI images start without it). A failed
 * install is retried after `apt-get update`: a fresh image's package lists may be empty.
 */
async function ensureChromium(t: ExecutionContext): Promise<void> {
  const installed = await access(CHROMIUM).then(
    () => true,
    () => false,
  );
  if (installed) return;
  // ava's 60 s inactivity limit is too short for a download on a fresh machine.
  t.timeout(15 * 60_000, 'installing chromium');
  const install = ['-o', 'DPkg::Lock::Timeout=120', 'install', '-y', '--no-install-recommends', 'chromium'];
  const options = { timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  try {
    await run('apt-get', install, options);
  } catch {
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=120', 'update'], options);
    await run('apt-get', install, options);
  }
}

/** A headless Chromium closed at teardown. */
export async function launchBrowser(t: ExecutionContext): Promise<Browser> {
  await ensureChromium(t);
  await mkdir(OUTPUT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for the sandbox; nothing but loopback is loaded.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  t.teardown(() => browser.close());
  return browser;
}

/** A page that can reach 127.0.0.1 only: every other request is aborted. */
export async function loopbackPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route('**/*', (route) =>
    new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
  );
  return context.newPage();
}
