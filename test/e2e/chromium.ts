/**
 * Debian's Chromium as every browser test and every Chromium benchmark runs it. No Vitest here:
 * the benchmarks (bench/*.bench.mjs, run with tsx) import it too.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type Backend = 'wasm' | 'webgpu';

/**
 * Headless, and without Chromium's own background traffic (component updates, sync), so every
 * request is the page's; WebGPU (SwiftShader here) only when asked for.
 */
function args(backend: Backend): string[] {
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

export function launchChromium(backend: Backend = 'wasm'): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: args(backend) });
}

/** With its profile in the folder `profile`, so storage is written to disk and outlives it. */
export function launchPersistentChromium(
  profile: string,
  backend: Backend = 'wasm',
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: args(backend),
  });
}
