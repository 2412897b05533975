/**
 * Debian's Chromium as every browser test and every Chromium benchmark runs it. Plain JavaScript
 * without Vitest: benchmarks run with plain `node` import it too.
 */
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** @typedef {'wasm' | 'webgpu'} Backend */

/**
 * Headless, and without Chromium's own background traffic (component updates, sync), so every
 * request is the page's; WebGPU (SwiftShader here) only when asked for.
 * @param {Backend} backend
 */
function args(backend) {
  return [
    '--headless=new',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    ...(backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : []),
  ];
}

/**
 * @param {Backend} [backend]
 * @param {{ handleSIGINT?: boolean }} [options] handleSIGINT false: Ctrl-C leaves Chromium running,
 *   for a script that answers it itself (Playwright closes the browser by default)
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchChromium(backend = 'wasm', { handleSIGINT = true } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: args(backend),
    handleSIGINT,
  });
}

/**
 * With its profile in the folder `profile`, so storage is written to disk and outlives it.
 * @param {string} profile
 * @param {Backend} [backend]
 * @returns {Promise<import('playwright-core').BrowserContext>}
 */
export function launchPersistentChromium(profile, backend = 'wasm') {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: args(backend),
  });
}
