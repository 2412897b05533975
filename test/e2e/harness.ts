/**
 * The page setup every browser test shares: Chromium for a file or a describe block, a fresh
 * context whose requests may reach only the app and the model mirror, the page's errors
 * collected, and the app's URL with the test mirror.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { launchChromium, type Backend } from './chromium.mjs';

export { launchChromium, type Backend } from './chromium.mjs';

/**
 * Chromium for the tests of the enclosing file or describe block: launched before them, closed
 * after them. The returned function gives the browser once it is launched.
 */
export function useChromium(backend: Backend = 'wasm'): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium(backend);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser)
      throw new Error('Chromium is launched in beforeAll: ask for it in a test or hook.');
    return browser;
  };
}

/** Where the app and the model mirror are: the ones global-setup.ts serves, unless given. */
export interface Servers {
  app?: string;
  mirror?: string;
}

/** The app's URL with the model mirror and the tiny embedding model, then `params`. */
export function appUrl(params: Record<string, string> = {}, servers: Servers = {}): string {
  const url = new URL(servers.app ?? inject('appUrl'));
  url.searchParams.set('models', servers.mirror ?? inject('mirrorUrl'));
  url.searchParams.set('embedder', 'grounded-test/tiny-embedder');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/**
 * Fails the test on any request to a host other than those of `allowed` (the app's and the
 * mirror's unless given): tests run with no network, and the app must not reach out on its own.
 * Returns the refused URLs, which a test asserts are none.
 */
async function guardNetwork(
  context: BrowserContext,
  allowed: string[] = [inject('appUrl'), inject('mirrorUrl')],
): Promise<string[]> {
  const hosts = allowed.map((url) => new URL(url).host);
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || hosts.includes(url.host)) {
      return route.continue();
    }
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return blocked;
}

/**
 * Collects uncaught page errors and, unless `consoleErrors` is false, console errors, which a
 * test can assert are none.
 */
export function collectErrors(page: Page, { consoleErrors = true } = {}): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  if (consoleErrors) {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
  }
  return errors;
}

/** Dismisses every dialog the page opens (alert, confirm, …) and collects its message. */
export function collectDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

export interface OpenOptions {
  /** For `browser.newContext`, e.g. `{ acceptDownloads: true }`. */
  context?: BrowserContextOptions;
  /** Granted to the origin of the page's URL, e.g. `['clipboard-read']`. */
  permissions?: string[];
  /** The servers the context may reach (see guardNetwork): the app and the mirror unless given. */
  allowed?: string[];
  /** False when the code under test logs its expected failures to the console itself. */
  consoleErrors?: boolean;
  /** Runs on the new page before it loads: listeners and init scripts that must see the load. */
  beforeLoad?: (page: Page) => unknown;
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** See collectErrors. */
  errors: string[];
  /** See guardNetwork. */
  blocked: string[];
}

/** Opens `url` in a fresh context (an empty profile) of `browser`, its network guarded. */
export async function openPage(
  browser: Browser,
  url: string,
  options: OpenOptions = {},
): Promise<OpenPage> {
  const context = await browser.newContext(options.context);
  if (options.permissions?.length) {
    await context.grantPermissions(options.permissions, { origin: new URL(url).origin });
  }
  const blocked = await guardNetwork(context, options.allowed);
  const page = await context.newPage();
  const errors = collectErrors(page, { consoleErrors: options.consoleErrors });
  await options.beforeLoad?.(page);
  await page.goto(url);
  return { context, page, errors, blocked };
}

export function textFile(name: string, text: string, mimeType = 'text/plain') {
  return { name, mimeType, buffer: Buffer.from(text, 'utf8') };
}

/**
 * The app's worker whose name starts with `label` (e.g. `grounded-embed`), once it has started.
 * Its URL does not say: the app starts its workers from `blob:` URLs (workers/connect.ts).
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
