import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { appUrl, openPage, textFile, useChromium } from './harness';

const browser = useChromium('wasm');
let page: Page;
let errors: string[];

// A fresh profile per test: an empty knowledge base.
beforeEach(async () => {
  const opened = await openPage(browser(), appUrl());
  ({ page, errors } = opened);
  return async () => {
    await opened.context.close();
    expect(errors).toEqual([]);
  };
});

const documents = () => page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const passages = () =>
  page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');

describe('the sample corpus', () => {
  test('Load sample documents adds every bundled document, ready to search', async () => {
    const manifest = (await (await fetch(new URL('samples/manifest.json', page.url()))).json()) as {
      documents: { file: string }[];
    };
    await page.getByRole('button', { name: 'Load sample documents' }).click();
    await expect
      .poll(() => documents().count(), { timeout: 120_000 })
      .toBe(manifest.documents.length);
    const names = await documents().allTextContents();
    for (const { file } of manifest.documents) {
      expect(names.some((n) => n.includes(file))).toBe(true);
    }

    await page
      .getByLabel('Question', { exact: true })
      .fill('How many weeks of parental leave do employees get?');
    await page.getByLabel('Question', { exact: true }).press('Enter');
    await expect.poll(() => passages().count(), { timeout: 60_000 }).toBe(5);
    const top = (await passages().allTextContents()).slice(0, 3).join('\n');
    expect(top).toContain('30 weeks of parental leave');
  });

  test('loading the samples twice adds nothing the second time', async () => {
    await page.getByRole('button', { name: 'Load sample documents' }).click();
    await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(8);
    await page.getByRole('button', { name: 'Load sample documents' }).click();
    const files = page.getByRole('list', { name: 'Files being added' });
    await expect.poll(() => files.getByText('Skipped').count(), { timeout: 60_000 }).toBe(8);
    expect(await files.textContent()).toContain('is already in the knowledge base as');
    expect(await documents().count()).toBe(8);
  });
});

describe('cancelling', () => {
  test('Cancel stops the batch: finished documents stay, the rest are not added', async () => {
    const small = textFile('small-note.txt', 'The boiler room key is kept in the red tin.');
    const paragraphs = Array.from(
      { length: 6000 },
      (_, i) => `Paragraph ${i}: the survey team logged ${i % 97} herons near marker ${i % 13}.`,
    );
    const big = textFile('survey-log.txt', paragraphs.join('\n\n'));
    await page.getByLabel('Add documents').setInputFiles([small, big]);
    const files = page.getByRole('list', { name: 'Files being added' });
    await expect
      .poll(() => files.getByRole('listitem').last().textContent(), { timeout: 60_000 })
      .toMatch(/Embedding [1-9]\d* of \d+ chunks/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => files.getByRole('listitem').last().textContent())
      .toContain('Cancelled');
    await expect
      .poll(() => documents().allTextContents())
      .toEqual([expect.stringContaining('small-note.txt')]);
    await page.reload();
    await expect.poll(() => documents().count()).toBe(1);
    expect(await documents().first().textContent()).toContain('small-note.txt');
  });
});

describe('changing the embedding model', () => {
  test('asks to re-embed, then every document uses the new model', async () => {
    await page
      .getByLabel('Add documents')
      .setInputFiles([
        textFile('ferry.md', '# Ferry\n\nThe night ferry to Skelholm leaves at 23:40 from pier 4.'),
      ]);
    await expect.poll(() => documents().count(), { timeout: 60_000 }).toBe(1);

    await page.getByText('Settings', { exact: true }).click();
    await page.getByLabel('Other Hugging Face model').fill('grounded-test/tiny-embedder-256');
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    const notice = page.getByRole('region', { name: 'Embedding model change' });
    await expect.poll(() => notice.textContent()).toContain('was embedded with tiny-embedder,');

    // Asked at once: the question waits for the re-embedding and uses the new model.
    await notice.getByRole('button', { name: 'Re-embed with tiny-embedder-256' }).click();
    const status = page.getByRole('status', { name: 'Embedding model' });
    await expect.poll(() => status.textContent()).toContain('tiny-embedder-256');

    await page.getByLabel('Question', { exact: true }).fill('When does the night ferry leave?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect
      .poll(() => passages().first().textContent(), { timeout: 60_000 })
      .toContain('ferry.md');
  });

  test('or keeps the model the documents were embedded with', async () => {
    await page
      .getByLabel('Add documents')
      .setInputFiles([textFile('a.txt', 'Lighthouse keepers.')]);
    await expect.poll(() => documents().count(), { timeout: 60_000 }).toBe(1);
    await page.getByText('Settings', { exact: true }).click();
    await page.getByLabel('Model', { exact: true }).selectOption('Xenova/bge-small-en-v1.5');
    const notice = page.getByRole('region', { name: 'Embedding model change' });
    await notice.getByRole('button', { name: 'Keep tiny-embedder' }).click();
    await expect.poll(() => notice.count()).toBe(0);
    expect(await page.getByLabel('Model', { exact: true }).inputValue()).toBe(
      'grounded-test/tiny-embedder',
    );
  });
});
