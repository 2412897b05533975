/**
 * Working offline: after one visit that caches the app (service worker) and the models (the
 * engines' own caches), the app reloads and answers with both its server and the model mirror
 * shut down and the browser context offline.
 *
 * The test serves the built app and the mirror itself, so it can stop them: Playwright's
 * `setOffline` alone does not reach a service worker's own requests.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, expect, inject, test } from 'vitest';
import { startMirror } from '../../scripts/serve-mirror.mjs';
import { appUrl, openPage, useChromium } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const modelsDir = fileURLToPath(new URL('../fixtures/models/', import.meta.url));
const GGUF = 'grounded-test/stories260K/stories260K.gguf';

const browser = useChromium('wasm');
let context: BrowserContext | undefined;
let server: PreviewServer | undefined;
let mirror: Awaited<ReturnType<typeof startMirror>> | undefined;

afterAll(async () => {
  await context?.close();
  await server?.close();
  await mirror?.close();
});

/** The built app on a port of its own, with the same COOP/COEP headers as `npm start`. */
async function serveApp(
  outDir = inject('appDir'),
): Promise<{ server: PreviewServer; url: string }> {
  const app = await preview({
    root,
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, strictPort: false, host: '127.0.0.1' },
  });
  const address = app.httpServer.address();
  if (!address || typeof address !== 'object') throw new Error('The app server has no port.');
  // localhost, not 127.0.0.1: service workers need a secure context.
  return { server: app, url: `http://localhost:${address.port}/` };
}

const offlineStatus = (page: Page) => page.getByRole('status', { name: 'Offline status' });
const modelStatus = (page: Page) => page.getByRole('status', { name: 'Language model status' });
const documents = (page: Page) =>
  page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const grounded = (page: Page) => page.getByRole('region', { name: 'Grounded answer', exact: true });
const ungrounded = (page: Page) =>
  page.getByRole('region', { name: 'Ungrounded answer', exact: true });
const stateOf = (page: Page, pane: 'grounded' | 'ungrounded') =>
  (pane === 'grounded' ? grounded(page) : ungrounded(page))
    .getByTestId('answer-state')
    .textContent();
const answerText = async (page: Page, pane: 'grounded' | 'ungrounded') =>
  (
    (await (pane === 'grounded' ? grounded(page) : ungrounded(page))
      .locator('.answer')
      .textContent()) ?? ''
  ).trim();

async function loadGguf(page: Page) {
  const option = page.getByRole('radio', { name: /stories260K\.gguf/ });
  await expect.poll(() => option.isChecked(), { timeout: 30_000 }).toBe(true);
  await page.getByRole('button', { name: 'Load model', exact: true }).click();
  await expect
    .poll(() => modelStatus(page).textContent(), { timeout: 60_000 })
    .toMatch(/stories260K\.gguf \(GGUF, CPU\) is ready/);
}

test('after one visit, the app reloads, searches and answers with the network gone', async () => {
  const app = await serveApp();
  server = app.server;
  mirror = await startMirror({ dir: modelsDir });
  const opened = await openPage(
    browser(),
    appUrl({ gguf: GGUF }, { app: app.url, mirror: mirror.url }),
    { allowed: [app.url, mirror.url] },
  );
  context = opened.context;
  const { page, errors, blocked } = opened;

  // Before any model is downloaded, the header says what is missing.
  const status = offlineStatus(page);
  await expect
    .poll(() => status.textContent(), { timeout: 30_000 })
    .toMatch(
      /^\s*Offline: .*needs the embedding model tiny-embedder; needs the language model stories260K\.gguf/,
    );

  // Ingesting downloads (and caches) the embedding model; the language model is still missing.
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect.poll(() => documents(page).count(), { timeout: 120_000 }).toBe(8);
  await expect
    .poll(() => status.textContent(), { timeout: 30_000 })
    .not.toContain('needs the embedding model');
  expect(await status.textContent()).toContain('needs the language model stories260K.gguf');

  await loadGguf(page);
  expect(mirror.requests.some((path) => path.includes('stories260K.gguf'))).toBe(true);
  await expect.poll(() => status.textContent(), { timeout: 120_000 }).toContain('Offline ready');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  // The network goes away: the app's server and the mirror stop, and the context is offline.
  await server.close();
  server = undefined;
  await mirror.close();
  const mirrorUrl = mirror.url;
  mirror = undefined;
  await context.setOffline(true);
  await expect(fetch(mirrorUrl)).rejects.toThrow();
  await expect(fetch(app.url)).rejects.toThrow();

  await page.reload();
  // The page came from the service worker's precache, still cross-origin isolated (wllama's
  // threads need it).
  await expect.poll(() => documents(page).count(), { timeout: 60_000 }).toBe(8);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Offline ready');

  // The language model loads from wllama's cache; a question retrieves and both answers stream.
  await loadGguf(page);
  await page.getByLabel('Question', { exact: true }).fill('What does the warranty cover?');
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  const passages = page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');
  await expect.poll(() => passages.count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect.poll(() => stateOf(page, 'ungrounded'), { timeout: 90_000 }).toBe('Done');
  expect(await stateOf(page, 'grounded')).toBe('Done');
  expect((await answerText(page, 'grounded')).length).toBeGreaterThan(0);
  expect((await answerText(page, 'ungrounded')).length).toBeGreaterThan(0);

  expect(blocked).toEqual([]);
  expect(errors).toEqual([]);
});

test('a new version of the app waits for “Reload for the new version”; nothing reloads by itself', async () => {
  // A copy of the build, so this test can change it as a new release would.
  const dir = mkdtempSync(join(tmpdir(), 'grounded-offline-'));
  cpSync(inject('appDir'), dir, { recursive: true });
  try {
    const app = await serveApp(dir);
    server = app.server;
    await context?.close();
    const opened = await openPage(browser(), app.url, { allowed: [app.url] });
    context = opened.context;
    const { page, errors, blocked } = opened;
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // A returning visit: the page is controlled from the start.
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    const button = page.getByRole('button', { name: 'Reload for the new version' });
    expect(await button.count()).toBe(0);

    // A new release: its service worker differs, so the browser installs it beside the old one.
    appendFileSync(join(dir, 'sw.js'), '\n// the next release\n');
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await expect.poll(() => button.count(), { timeout: 60_000 }).toBe(1);
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);

    // The person chooses when: the new version takes over and the page reloads once.
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), button.click()]);
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(false);
    await expect
      .poll(() => page.getByRole('status', { name: 'Offline status' }).count(), {
        timeout: 30_000,
      })
      .toBe(1);
    expect(await button.count()).toBe(0);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
});
