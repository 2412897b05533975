/**
 * The Storage panel and workshop links, in Chromium against the built app: what is stored is
 * shown with its size, deleting through the panel deletes, "Delete everything" asks first and
 * then leaves nothing (documents, vectors, model caches) even after a reload; a settings link
 * opened in a fresh browser gives the same settings and carries no document text.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runToJson } from '../../src/lib/core/eval/run-export';
import { RUN } from '../../src/lib/core/eval/run-fixture';
import { appUrl, openPage, textFile, useChromium } from './harness';

const SECRET = 'The vault combination is 7-19-42 and only Imogen Thrale knows it.';
const FERRY = 'The night ferry to Skelholm leaves at 23:40 from pier 4 every weekday.';
const GGUF = 'grounded-test/stories260K/stories260K.gguf';

const browser = useChromium('wasm');

const keptRuns = (page: Page) =>
  page
    .getByRole('region', { name: 'Evaluation', exact: true })
    .getByRole('list', { name: 'Kept runs' })
    .getByRole('listitem');
const documentsOf = (page: Page) =>
  page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const storageOf = (page: Page) => page.getByRole('region', { name: 'Storage' });
const modelsIn = (page: Page) =>
  storageOf(page).getByRole('list', { name: 'Downloaded models' }).getByRole('listitem');

/** Every model file left in the Cache API and in wllama's OPFS folder. */
function modelFilesLeft(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const left: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        // Model files are laid out like the hub (…/<owner>/<name>/resolve/main/…); an app shell
        // cached for offline use is not a model and may stay.
        if (request.url.includes('/resolve/')) left.push(`${name}: ${request.url}`);
      }
    }
    const root = await navigator.storage.getDirectory();
    const walk = async (dir: FileSystemDirectoryHandle, path: string): Promise<void> => {
      const entries = (
        dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }
      ).entries();
      for await (const [name, handle] of entries) {
        if (handle.kind === 'directory') {
          await walk(handle as FileSystemDirectoryHandle, `${path}${name}/`);
        } else left.push(`opfs: ${path}${name}`);
      }
    };
    await walk(root, '');
    return left;
  });
}

describe('the Storage panel', () => {
  let page: Page;
  let context: BrowserContext;
  let errors: string[];
  let blocked: string[];

  beforeAll(async () => {
    ({ page, context, errors, blocked } = await openPage(browser(), appUrl({ gguf: GGUF })));
  });

  afterAll(async () => {
    await context?.close();
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  test('shows the space documents, vectors and models take, with each model’s size', async () => {
    await page
      .getByLabel('Add documents')
      .setInputFiles([textFile('vault.txt', SECRET), textFile('ferry.md', FERRY)]);
    await expect.poll(() => documentsOf(page).count(), { timeout: 90_000 }).toBe(2);

    const storage = storageOf(page);
    const total = (name: string) =>
      storage.getByRole('term').filter({ hasText: name }).locator('xpath=following-sibling::dd');
    await expect.poll(() => total('Vectors').textContent()).toMatch(/^\d+(\.\d)? (B|KB)$/);
    expect(await total('Vectors').textContent()).not.toBe('0 B');
    expect(await total('Documents').textContent()).toMatch(/^\d+(\.\d)? (B|KB)$/);
    expect(await total('Documents').textContent()).not.toBe('0 B');

    // The embedding model the documents were embedded with, with its size and a warning.
    const embedder = modelsIn(page).filter({ hasText: 'tiny-embedder' });
    await expect.poll(() => embedder.count(), { timeout: 30_000 }).toBe(1);
    expect(await embedder.textContent()).toMatch(/Embedding model · \d+(\.\d)? (KB|MB)/);
    expect(await embedder.textContent()).toContain('Your knowledge base embeds questions with it');
    expect(await total('Models').textContent()).not.toBe('0 B');

    const docs = storage.getByRole('list', { name: 'Space per document' }).getByRole('listitem');
    expect(await docs.count()).toBe(2);
    expect(await docs.first().textContent()).toMatch(/\d+(\.\d)? (B|KB) with its chunks/);
  });

  test('deleting a document in the panel removes it from the Documents list', async () => {
    await storageOf(page).getByRole('button', { name: 'Delete the document vault.txt' }).click();
    await expect.poll(() => documentsOf(page).count()).toBe(1);
    expect(await documentsOf(page).textContent()).toContain('ferry.md');
    await expect
      .poll(() => storageOf(page).getByRole('list', { name: 'Space per document' }).textContent())
      .not.toContain('vault.txt');
  });

  test('a downloaded GGUF model is listed; the loaded one is unloaded before it is deleted', async () => {
    const option = page.getByRole('radio', { name: /stories260K\.gguf/ });
    await expect.poll(() => option.isChecked(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Load model', exact: true }).click();
    const status = page.getByRole('status', { name: 'Language model status' });
    await expect.poll(() => status.textContent(), { timeout: 90_000 }).toMatch(/is ready/);

    const gguf = modelsIn(page).filter({ hasText: 'stories260K.gguf' });
    await expect.poll(() => gguf.count(), { timeout: 30_000 }).toBe(1);
    expect(await gguf.textContent()).toMatch(/Language model \(CPU\) · \d+(\.\d)? (KB|MB)/);
    expect(
      await gguf.getByRole('button', { name: /Delete the model stories260K/ }).textContent(),
    ).toContain('Unload and delete');
  });

  test('Delete everything asks first; Cancel keeps everything', async () => {
    const before = await modelFilesLeft(page);
    expect(before.some((f) => f.includes('tiny-embedder'))).toBe(true);
    expect(before.some((f) => f.startsWith('opfs:') && f.includes('stories260K'))).toBe(true);

    // A kept evaluation run goes with the documents it was run on.
    await page
      .getByRole('region', { name: 'Evaluation', exact: true })
      .getByLabel('Import a run')
      .setInputFiles({
        name: 'run.json',
        mimeType: 'application/json',
        buffer: Buffer.from(runToJson(RUN)),
      });
    await expect.poll(() => keptRuns(page).count(), { timeout: 30_000 }).toBe(1);

    await storageOf(page).getByRole('button', { name: 'Delete everything' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete everything?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const consequences = (await dialog.textContent()) ?? '';
    expect(consequences).toMatch(/1 document with their chunks and vectors/);
    expect(consequences).toMatch(/2 downloaded models/);
    expect(consequences).toMatch(/1 kept evaluation run;/);
    expect(consequences).toContain('Your settings stay');

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await documentsOf(page).count()).toBe(1);
    expect(await keptRuns(page).count()).toBe(1);
    expect(await modelFilesLeft(page)).toEqual(before);
  });

  test('confirming empties the documents and every model cache, and stays so after a reload', async () => {
    await storageOf(page).getByRole('button', { name: 'Delete everything' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete everything?' });
    await dialog.getByRole('button', { name: 'Delete everything' }).click();

    await expect.poll(() => documentsOf(page).count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByText('No documents yet.').isVisible()).toBe(true);
    await expect
      .poll(() => storageOf(page).textContent(), { timeout: 30_000 })
      .toContain('No models are downloaded.');
    expect(await storageOf(page).textContent()).toContain('No documents are stored.');
    expect(
      await page.getByRole('status', { name: 'Language model status' }).textContent(),
    ).toContain('No language model loaded.');
    expect(await modelFilesLeft(page)).toEqual([]);
    expect(await keptRuns(page).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);

    await page.reload();
    await expect.poll(() => page.getByText('No documents yet.').isVisible()).toBe(true);
    expect(await documentsOf(page).count()).toBe(0);
    await expect
      .poll(() => storageOf(page).textContent(), { timeout: 30_000 })
      .toContain('No models are downloaded.');
    expect(await modelFilesLeft(page)).toEqual([]);
  });
});

describe('share settings', () => {
  test('an out-of-range sampling value says why and is neither applied nor saved', async () => {
    const { page, context, errors } = await openPage(browser(), appUrl());
    await page.getByText(/^Sampling:/).click();
    await page.getByLabel('Temperature').fill('5');
    await page.getByLabel('Temperature').blur();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Temperature must be from 0 to 2.');
    expect(await page.getByText(/^Sampling:/).textContent()).toContain('temperature 0.2,');
    const saved = await page.evaluate(() => localStorage.getItem('grounded:settings'));
    expect(saved ?? '').not.toContain('"temperature":5');

    // A valid value clears the message and is applied.
    await page.getByLabel('Temperature').fill('0.7');
    await page.getByLabel('Temperature').blur();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    expect(await page.getByText(/^Sampling:/).textContent()).toContain('temperature 0.7,');
    await context.close();
    expect(errors).toEqual([]);
  });

  test('a copied link opens in a fresh browser with the same settings and no document text', async () => {
    const first = await openPage(browser(), appUrl(), {
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const { page } = first;
    await page.getByLabel('Add documents').setInputFiles([textFile('vault.txt', SECRET)]);
    await expect.poll(() => documentsOf(page).count(), { timeout: 90_000 }).toBe(1);

    await page.getByText('Settings', { exact: true }).click();
    await page.getByLabel('Search by').selectOption('keyword');
    await page.getByLabel('Passages to retrieve').fill('7');
    await page.getByLabel('Passages to retrieve').blur();
    await page.getByText(/^Sampling:/).click();
    await page.getByLabel('Temperature').fill('0.85');
    await page.getByLabel('Temperature').blur();
    await expect.poll(() => page.getByText(/^Sampling:/).textContent()).toContain('0.85');

    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.getByText('Link copied.').isVisible()).toBe(true);
    const link = await page.evaluate(() => navigator.clipboard.readText());
    // The visible fallback holds the same link.
    expect(await page.getByLabel('Settings link').inputValue()).toBe(link);
    const params = new URL(link).searchParams;
    expect(params.get('retrieval')).toBe('keyword');
    expect(params.get('topk')).toBe('7');
    expect(params.get('temperature')).toBe('0.85');
    for (const word of ['vault', 'combination', 'Imogen', '7-19-42']) {
      expect(decodeURIComponent(link)).not.toContain(word);
    }
    await first.context.close();
    expect(first.errors).toEqual([]);

    // A fresh context: nothing saved, so every value comes from the link.
    const second = await openPage(browser(), link);
    const shared = second.page;
    await shared.getByText('Settings', { exact: true }).click();
    expect(await shared.getByLabel('Search by').inputValue()).toBe('keyword');
    expect(await shared.getByLabel('Passages to retrieve').inputValue()).toBe('7');
    expect(await shared.getByLabel('Temperature').inputValue()).toBe('0.85');
    expect(await shared.getByLabel('Model', { exact: true }).inputValue()).toBe(
      'grounded-test/tiny-embedder',
    );
    expect(await shared.getByRole('alert').count()).toBe(0);
    expect(await documentsOf(shared).count()).toBe(0);
    // Opening a link does not overwrite the opener's own saved settings.
    expect(await shared.evaluate(() => localStorage.getItem('grounded:settings'))).toBe(null);
    await second.context.close();
    expect(second.errors).toEqual([]);
    expect([...first.blocked, ...second.blocked]).toEqual([]);
  });
});
