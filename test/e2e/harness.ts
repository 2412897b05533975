import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
  type Worker,
} from 'playwright-core';
import { inject } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type Backend = 'wasm' | 'webgpu';

/** Debian's Chromium, headless; with WebGPU (SwiftShader) only when asked for. */
export function launchChromium(backend: Backend = 'wasm'): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : []),
    ],
  });
}

/** The app's URL with the test model mirror and the tiny embedding model. */
export function appUrl(extra: Record<string, string> = {}): string {
  const url = new URL(inject('appUrl'));
  url.searchParams.set('models', inject('mirrorUrl'));
  url.searchParams.set('embedder', 'grounded-test/tiny-embedder');
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.href;
}

/**
 * Fails the test on any request to a host other than the app and the mirror: tests run with no
 * network, and the app must not reach out on its own.
 */
export async function guardNetwork(context: BrowserContext): Promise<string[]> {
  const allowed = [new URL(inject('appUrl')).host, new URL(inject('mirrorUrl')).host];
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || allowed.includes(url.host)) {
      return route.continue();
    }
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return blocked;
}

/** Collects uncaught page errors and console errors, which a test can assert are none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

export function textFile(name: string, text: string, mimeType = 'text/plain') {
  return { name, mimeType, buffer: Buffer.from(text, 'utf8') };
}

/**
 * The app's worker whose name starts with `label` (e.g. `grounded-embed`), once it has started.
 * Its URL does not say: the app starts its workers from `blob:` URLs (start-worker.ts).
 */
export async function appWorker(page: Page, label: string): Promise<Worker> {
  for (;;) {
    for (const worker of page.workers()) {
      const name = await worker.evaluate(() => self.name).catch(() => '');
      if (name.startsWith(`${label} #`)) return worker;
    }
    await page.waitForEvent('worker', { timeout: 10_000 });
  }
}
