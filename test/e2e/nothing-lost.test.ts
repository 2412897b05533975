import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { appUrl, appWorker, collectErrors, openPage, textFile, useChromium } from './harness';
import { dumpDatabase } from './idb-dump';

const browser = useChromium('wasm');
let context: BrowserContext;
let page: Page;
let errors: string[];

// A fresh profile per test: an empty knowledge base.
beforeEach(async () => {
  ({ context, page, errors } = await openPage(browser(), appUrl()));
  return async () => {
    await context.close();
    expect(errors).toEqual([]);
  };
});

const documentsOf = (p: Page) => p.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const passagesOf = (p: Page) =>
  p.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');
const filesOf = (p: Page) => p.getByRole('list', { name: 'Files being added' });

async function ask(p: Page, question: string): Promise<void> {
  await p.getByLabel('Question', { exact: true }).fill(question);
  await p.getByLabel('Question', { exact: true }).press('Enter');
}

const FERRY = '# Ferry\n\nThe night ferry to Skelholm leaves at 23:40 from pier 4.';
const FERRY_EDITED = '# Ferry\n\nThe night ferry to Skelholm leaves at 22:15 from pier 6.';

function surveyLog(paragraphs: number) {
  return textFile(
    'survey-log.txt',
    Array.from(
      { length: paragraphs },
      (_, i) => `Paragraph ${i}: the survey team logged ${i % 97} herons near marker ${i % 13}.`,
    ).join('\n\n'),
  );
}

describe('a reload in the middle of adding', () => {
  test('leaves no partial document, and the next start says what was not added', async () => {
    await page
      .getByLabel('Add documents')
      .setInputFiles([textFile('small-note.txt', 'The boiler room key is kept in the red tin.')]);
    await expect.poll(() => documentsOf(page).count(), { timeout: 60_000 }).toBe(1);
    const before = await dumpDatabase(page);

    await page.getByLabel('Add documents').setInputFiles([surveyLog(6000)]);
    await expect
      .poll(() => filesOf(page).getByRole('listitem').last().textContent(), { timeout: 60_000 })
      .toMatch(/Embedding [1-9]\d* of \d+ chunks/);
    await page.reload();

    const notice = page.getByRole('alert').filter({ hasText: 'survey-log.txt' });
    await expect
      .poll(() => notice.textContent(), { timeout: 30_000 })
      .toContain(
        '“survey-log.txt” was being added when the page closed, so it was not added; add it again.',
      );
    expect(await documentsOf(page).allTextContents()).toEqual([
      expect.stringContaining('small-note.txt'),
    ]);
    // Byte for byte what was there before: no chunk, vector or text of the interrupted file.
    expect(await dumpDatabase(page)).toEqual(before);

    // Told once: the next start has nothing to say.
    await page.reload();
    await expect.poll(() => documentsOf(page).count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});

describe('replacing a document', () => {
  test('edit a fact, replace the file, ask again: only the new text is retrieved', async () => {
    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY)]);
    await expect.poll(() => documentsOf(page).count(), { timeout: 60_000 }).toBe(1);
    await ask(page, 'When does the night ferry leave?');
    await expect
      .poll(() => passagesOf(page).allTextContents(), { timeout: 60_000 })
      .toEqual([expect.stringContaining('23:40')]);
    const oldId = (await dumpDatabase(page)).documents![0]![0] as string;

    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY_EDITED)]);
    const choice = page.getByRole('group', { name: 'What to do with ferry.md' });
    await expect
      .poll(() => filesOf(page).textContent(), { timeout: 30_000 })
      .toContain('A different “ferry.md” was added');
    expect(await choice.getByRole('button').allTextContents()).toEqual([
      'Replace',
      'Keep both',
      'Skip',
    ]);
    await choice.getByRole('button', { name: 'Replace ferry.md' }).click();
    await expect
      .poll(() => filesOf(page).textContent(), { timeout: 60_000 })
      .toContain('Replaced the earlier version.');
    await expect.poll(() => documentsOf(page).count()).toBe(1);

    await ask(page, 'When does the night ferry leave?');
    await expect
      .poll(() => passagesOf(page).allTextContents(), { timeout: 60_000 })
      .toEqual([expect.stringContaining('22:15')]);
    const dump = await dumpDatabase(page);
    expect(dump.documents).toHaveLength(1);
    for (const store of ['documents', 'texts', 'chunks', 'vectors']) {
      expect(JSON.stringify(dump[store])).not.toContain(oldId);
    }
    expect(JSON.stringify(dump.chunks)).not.toContain('23:40');
  });

  test('Skip keeps the stored version; Keep both adds the new one beside it', async () => {
    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY)]);
    await expect.poll(() => documentsOf(page).count(), { timeout: 60_000 }).toBe(1);
    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY_EDITED)]);
    await page.getByRole('button', { name: 'Skip ferry.md' }).click();
    await expect
      .poll(() => filesOf(page).textContent())
      .toContain('Skipped: the stored “ferry.md” stays as it is.');
    expect(await documentsOf(page).count()).toBe(1);

    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY_EDITED)]);
    await page.getByRole('button', { name: 'Keep both versions of ferry.md' }).click();
    await expect.poll(() => documentsOf(page).count(), { timeout: 60_000 }).toBe(2);
  });
});

describe('two tabs', () => {
  test('a document added, replaced or deleted in one tab is so in the other', async () => {
    const other = await context.newPage();
    const otherErrors = collectErrors(other);
    await other.goto(appUrl());
    await expect.poll(() => other.getByText('No documents yet.').isVisible()).toBe(true);

    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY)]);
    await expect.poll(() => documentsOf(other).count(), { timeout: 60_000 }).toBe(1);
    await ask(other, 'When does the night ferry leave?');
    await expect
      .poll(() => passagesOf(other).allTextContents(), { timeout: 60_000 })
      .toEqual([expect.stringContaining('23:40')]);

    await page.getByLabel('Add documents').setInputFiles([textFile('ferry.md', FERRY_EDITED)]);
    await page.getByRole('button', { name: 'Replace ferry.md' }).click();
    await expect
      .poll(() => filesOf(page).textContent(), { timeout: 60_000 })
      .toContain('Replaced the earlier version.');
    await ask(other, 'When does the night ferry leave? ');
    await expect
      .poll(() => passagesOf(other).allTextContents(), { timeout: 60_000 })
      .toEqual([expect.stringContaining('22:15')]);

    await page.getByRole('button', { name: 'Delete ferry.md' }).click();
    await expect.poll(() => documentsOf(other).count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => other.getByText('No documents yet.').isVisible()).toBe(true);
    expect(otherErrors).toEqual([]);
  });

  test('a tab whose database is upgraded elsewhere lets go and asks to be reloaded', async () => {
    await expect.poll(() => page.getByText('No documents yet.').isVisible()).toBe(true);
    // What a newer version of the app in another tab does: open the database at a newer version.
    const other = await context.newPage();
    // A page of the same origin that does not run the app.
    await other.goto(new URL('samples/manifest.json', appUrl()).href);
    const opened = await other.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const request = indexedDB.open('grounded', 1000);
          request.onsuccess = () => {
            resolve(request.result.version);
            request.result.close();
          };
          request.onerror = () => reject(request.error);
        }),
    );
    expect(opened).toBe(1000);
    const notice = page.getByRole('alert').filter({ hasText: 'updated in another tab' });
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.getByRole('button', { name: 'Reload' }).count()).toBe(1);
  });
});

describe('storage', () => {
  test('a full disk rolls back the file being added and explains the space in use', async () => {
    await page
      .getByLabel('Add documents')
      .setInputFiles([textFile('small-note.txt', 'The boiler room key is kept in the red tin.')]);
    await expect.poll(() => documentsOf(page).count(), { timeout: 60_000 }).toBe(1);
    await expect
      .poll(() =>
        page.getByRole('region', { name: 'Documents' }).getByLabel('Storage').textContent(),
      )
      .toMatch(/^Storage: (persistent|not persistent) — .* in use\.$/);
    const before = await dumpDatabase(page);

    // Chromium's DevTools quota override (Storage.overrideQuotaForOrigin) has no effect in this
    // Chromium, so the embedding worker's IndexedDB is made to refuse the vectors as a full disk
    // does (QuotaExceededError); the rest — rollback, estimate, alert — is the app's own.
    const worker = await appWorker(page, 'grounded-embed');
    await worker.evaluate(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (
        this: IDBObjectStore,
        ...args: Parameters<IDBObjectStore['put']>
      ) {
        if (this.name === 'vectors') {
          this.transaction.abort();
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return put.apply(this, args);
      };
    });
    await page
      .getByLabel('Add documents')
      .setInputFiles([surveyLog(3000), textFile('after.txt', 'Added after the disk filled up.')]);
    const alert = page.getByRole('alert').filter({ hasText: 'survey-log.txt' });
    await expect
      .poll(() => alert.allTextContents(), { timeout: 120_000 })
      .toEqual([
        expect.stringContaining(
          "There is no room left in this browser's storage for “survey-log.txt”, so it was not " +
            'added (nor the files after it): nothing of it was kept, and the documents already ' +
            'stored are unchanged.',
        ),
      ]);
    const [text] = await alert.allTextContents();
    expect(text).toMatch(/ in use: .*IndexedDB [\d.]+ .?B, of which documents about /);
    expect(text).toContain('To make room, delete documents you no longer need');
    // One alert for the batch, not one per file.
    expect(await page.getByRole('alert').count()).toBe(1);
    expect(await filesOf(page).textContent()).toContain(
      "“after.txt” was not added: the browser's storage is full.",
    );
    expect(await documentsOf(page).count()).toBe(1);
    expect(await dumpDatabase(page)).toEqual(before);
  });
});
