/**
 * Presenter comfort, in Chromium against the built app: Larger text scales the whole interface
 * (the root font size), survives a reload, is set by `?present=1`, and leaves the page usable at
 * 1280×720; Reset the demo asks first, then replaces the documents with the samples and the
 * settings with the defaults, while a downloaded model and a kept evaluation run stay.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runToJson } from '../../src/lib/core/eval/run-export';
import { RUN } from '../../src/lib/core/eval/run-fixture';
import { appUrl, openPage, textFile, useChromium } from './harness';

const GGUF = 'grounded-test/stories260K/stories260K.gguf';
const FERRY = 'The night ferry to Skelholm leaves at 23:40 from pier 4 every weekday.';

const browser = useChromium('wasm');

const rootFontSize = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
const largerText = (page: Page) => page.getByRole('button', { name: 'Larger text' });
const documentNames = (page: Page) =>
  page.getByRole('list', { name: 'Documents' }).getByRole('listitem').allTextContents();
const downloadedModels = (page: Page) =>
  page
    .getByRole('region', { name: 'Storage' })
    .getByRole('list', { name: 'Downloaded models' })
    .textContent();
const keptRuns = (page: Page) =>
  page
    .getByRole('region', { name: 'Evaluation', exact: true })
    .getByRole('list', { name: 'Kept runs' })
    .getByRole('listitem');
/** The header's button; the confirmation has one of the same name. */
const resetButton = (page: Page) =>
  page.getByRole('banner').getByRole('button', { name: 'Reset the demo' });
const topK = (page: Page) => page.getByLabel('Passages to retrieve');

describe('Larger text', () => {
  let page: Page;
  let context: BrowserContext;
  let errors: string[];
  let blocked: string[];

  beforeAll(async () => {
    ({ page, context, errors, blocked } = await openPage(browser(), appUrl()));
    await largerText(page).waitFor();
  });

  afterAll(async () => {
    await context?.close();
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  test('scales the root font size, and stays on over a reload until turned off', async () => {
    expect(await rootFontSize(page)).toBe('16px');
    expect(await largerText(page).getAttribute('aria-pressed')).toBe('false');

    await largerText(page).click();
    expect(await largerText(page).getAttribute('aria-pressed')).toBe('true');
    expect(await rootFontSize(page)).toBe('20px');
    // Everything sized in rem grows with it, the headings too.
    const heading = page.getByRole('heading', { name: 'Documents', exact: true });
    expect(await heading.evaluate((h) => getComputedStyle(h).fontSize)).toBe('23px');

    await page.reload();
    await largerText(page).waitFor();
    await expect.poll(() => rootFontSize(page)).toBe('20px');
    expect(await largerText(page).getAttribute('aria-pressed')).toBe('true');

    await largerText(page).click();
    expect(await rootFontSize(page)).toBe('16px');
    await page.reload();
    await largerText(page).waitFor();
    expect(await rootFontSize(page)).toBe('16px');
  });

  test('?present=1 turns it on, and the page still fits 1280×720 with it', async () => {
    const presented = await openPage(browser(), appUrl({ present: '1' }), {
      context: { viewport: { width: 1280, height: 720 } },
    });
    try {
      const { page } = presented;
      await largerText(page).waitFor();
      await expect.poll(() => rootFontSize(page)).toBe('20px');
      expect(await largerText(page).getAttribute('aria-pressed')).toBe('true');
      // No sideways scrolling, and the two columns are still side by side.
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).toBe(true);
      // Both measured in one go: the header above them can still grow as its status text
      // arrives, which moved everything between two separate measurements once (by 59 px).
      const [documents, ask] = await page.evaluate(() =>
        ['documents-heading', 'ask-heading'].map((id) => {
          const box = document.getElementById(id)!.getBoundingClientRect();
          return { x: box.x, y: box.y };
        }),
      );
      expect(ask!.x).toBeGreaterThan(documents!.x + 200);
      expect(Math.abs(ask!.y - documents!.y)).toBeLessThan(5);
      expect(await resetButton(page).isVisible()).toBe(true);
      expect(presented.errors).toEqual([]);
    } finally {
      await presented.context.close();
    }
  });
});

describe('Reset the demo', () => {
  let page: Page;
  let context: BrowserContext;
  let errors: string[];
  let blocked: string[];
  let samples: string[];

  beforeAll(async () => {
    ({ page, context, errors, blocked } = await openPage(browser(), appUrl({ gguf: GGUF })));
    const manifest = (await (await fetch(new URL('samples/manifest.json', page.url()))).json()) as {
      documents: { file: string }[];
    };
    samples = manifest.documents.map((d) => d.file);
  });

  afterAll(async () => {
    await context?.close();
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  test('a document, a changed setting, a downloaded model and a kept run to start from', async () => {
    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY)]);
    await expect.poll(() => documentNames(page), { timeout: 90_000 }).toHaveLength(1);

    await page.getByRole('heading', { name: 'Settings' }).click();
    await topK(page).fill('9');
    await topK(page).press('Tab');
    // Kept over a reload: the reset must be what brings it back to 5.
    await page.reload();
    await page.getByRole('heading', { name: 'Settings' }).click();
    expect(await topK(page).inputValue()).toBe('9');

    const option = page.getByRole('radio', { name: /stories260K\.gguf/ });
    await expect.poll(() => option.isChecked(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Load model', exact: true }).click();
    const status = page.getByRole('status', { name: 'Language model status' });
    await expect.poll(() => status.textContent(), { timeout: 90_000 }).toMatch(/is ready/);
    await expect.poll(() => downloadedModels(page), { timeout: 30_000 }).toContain('stories260K');

    await page
      .getByRole('region', { name: 'Evaluation', exact: true })
      .getByLabel('Import a run')
      .setInputFiles({
        name: 'run.json',
        mimeType: 'application/json',
        buffer: Buffer.from(runToJson(RUN)),
      });
    await expect.poll(() => keptRuns(page).count(), { timeout: 30_000 }).toBe(1);
  });

  test('asks first, saying what goes and what stays; Cancel changes nothing', async () => {
    await resetButton(page).click();
    const dialog = page.getByRole('dialog', { name: 'Reset the demo?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toMatch(/1 document with their chunks and vectors/);
    expect(text).toMatch(/your settings, back to their defaults/);
    expect(text).toMatch(/What stays:.*2 downloaded models .*1 kept evaluation run/s);

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await documentNames(page)).toHaveLength(1);
    expect(await topK(page).inputValue()).toBe('9');
  });

  test('brings back the samples and the default settings, and keeps the models and runs', async () => {
    const question = page.getByLabel('Question', { exact: true });
    await question.fill('When does the night ferry leave?');
    await resetButton(page).click();
    await page
      .getByRole('dialog', { name: 'Reset the demo?' })
      .getByRole('button', { name: 'Reset the demo' })
      .click();

    await expect.poll(() => documentNames(page), { timeout: 120_000 }).toHaveLength(samples.length);
    const names = (await documentNames(page)).join('\n');
    for (const file of samples) expect(names).toContain(file);
    expect(names).not.toContain('ferry.md');
    expect(await topK(page).inputValue()).toBe('5');
    expect(await question.inputValue()).toBe('');

    const models = await downloadedModels(page);
    expect(models).toContain('stories260K.gguf');
    expect(models).toContain('tiny-embedder');
    expect(await keptRuns(page).count()).toBe(1);
    expect(await page.getByRole('status', { name: 'Language model status' }).textContent()).toMatch(
      /is ready/,
    );
    expect(await page.getByRole('alert').count()).toBe(0);

    // The defaults were saved: a reload keeps them, and the samples.
    await page.reload();
    await expect.poll(() => documentNames(page), { timeout: 30_000 }).toHaveLength(samples.length);
    await page.getByRole('heading', { name: 'Settings' }).click();
    expect(await topK(page).inputValue()).toBe('5');
    await expect.poll(() => downloadedModels(page), { timeout: 30_000 }).toContain('stories260K');
  });
});
