import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { makePdf } from '../make-files';
import { appUrl, openPage, textFile, useChromium } from './harness';
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

const documents = () => page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const passages = () =>
  page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');
const files = () => page.getByRole('list', { name: 'Files being added' });
const editor = (name: string) => page.getByRole('form', { name: `Editing ${name}` });
const documentText = () => page.getByLabel('Document text');
const focusedName = () =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

async function ask(question: string): Promise<void> {
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByLabel('Question', { exact: true }).press('Enter');
}

async function add(...items: ReturnType<typeof textFile>[]): Promise<void> {
  const before = await documents().count();
  await page.getByLabel('Add documents').setInputFiles(items);
  await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(before + items.length);
}

const HANDBOOK = 'employee-handbook.md';
const OLD_FACT = '30 weeks of parental leave';
const NEW_FACT = '34 weeks of parental leave';

describe('editing a document', () => {
  test('a fact edited in a sample document is what the next question retrieves', async () => {
    await page.getByRole('button', { name: 'Load sample documents' }).click();
    await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(8);
    const question = 'How many weeks of parental leave do employees get?';
    await ask(question);
    const leave = passages().filter({ hasText: 'parental leave at full basic pay' });
    await expect.poll(() => leave.count(), { timeout: 60_000 }).toBe(1);
    expect(await leave.textContent()).toContain(OLD_FACT);

    await page.getByRole('button', { name: `Edit ${HANDBOOK}` }).click();
    const stored = await documentText().inputValue();
    expect(stored).toContain(`**${OLD_FACT} at full basic pay**`);
    expect(stored.startsWith('# ')).toBe(true);
    // Unchanged, there is nothing to save.
    expect(await editor(HANDBOOK).getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await documentText().fill(stored.replace(OLD_FACT, NEW_FACT));
    await editor(HANDBOOK).getByRole('button', { name: 'Save' }).click();

    await expect
      .poll(() => files().textContent(), { timeout: 60_000 })
      .toContain('Replaced the earlier version.');
    await expect.poll(() => editor(HANDBOOK).count()).toBe(0);
    await expect.poll(() => documents().count()).toBe(8);
    expect(await documents().filter({ hasText: HANDBOOK }).count()).toBe(1);
    // Focus is on the new version's Edit button.
    await expect.poll(focusedName).toBe(`Edit ${HANDBOOK}`);

    await ask(question);
    await expect.poll(() => leave.textContent(), { timeout: 60_000 }).toContain(NEW_FACT);
    expect((await passages().allTextContents()).join('\n')).not.toContain(OLD_FACT);
    const dump = await dumpDatabase(page);
    expect(JSON.stringify(dump.chunks)).not.toContain(OLD_FACT);
    expect(JSON.stringify(dump.texts)).not.toContain(OLD_FACT);
  });

  test('by keyboard: Escape cancels and focus returns to Edit; the stored text is unchanged', async () => {
    await add(textFile('ferry.md', '# Ferry\n\nThe night ferry leaves at 23:40 from pier 4.'));
    const edit = page.getByRole('button', { name: 'Edit ferry.md' });
    expect(await edit.textContent()).toBe('Edit');
    expect(await edit.getAttribute('aria-expanded')).toBe('false');
    await edit.focus();
    await page.keyboard.press('Enter');
    await expect.poll(focusedName).toBe(null);
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await edit.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.type('Changed: ');
    await page.keyboard.press('Escape');
    await expect.poll(() => editor('ferry.md').count()).toBe(0);
    await expect.poll(focusedName).toBe('Edit ferry.md');

    await page.keyboard.press('Enter');
    await expect
      .poll(() => documentText().inputValue())
      .toBe('# Ferry\n\nThe night ferry leaves at 23:40 from pier 4.');
    await page.keyboard.press('Escape');
    expect(await files().textContent()).not.toContain('Replaced');
  });

  test('a PDF is edited as its extracted text and saved as text, under a recognisable name', async () => {
    const pdf = makePdf({
      pages: [['Orchard safety manual.'], ['The cider press is cleaned every Thursday.']],
    });
    await page
      .getByLabel('Add documents')
      .setInputFiles([
        { name: 'orchard.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) },
      ]);
    await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(1);

    await page.getByRole('button', { name: 'Edit orchard.pdf' }).click();
    await expect
      .poll(() => editor('orchard.pdf').textContent())
      .toContain(
        '“orchard.pdf” is a PDF: its text as extracted is saved as plain text, named ' +
          '“orchard.pdf.txt”. Its pages are not kept',
      );
    const text = await documentText().inputValue();
    expect(text).toContain('The cider press is cleaned every Thursday.');
    await documentText().fill(text.replace('Thursday', 'Friday'));
    await editor('orchard.pdf').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => editor('orchard.pdf').count(), { timeout: 60_000 }).toBe(0);
    expect(await documents().allTextContents()).toEqual([
      expect.stringContaining('orchard.pdf.txt'),
    ]);

    await ask('When is the cider press cleaned?');
    const press = passages().filter({ hasText: 'cider press' });
    await expect.poll(() => press.textContent(), { timeout: 60_000 }).toContain('every Friday');
    expect(await press.textContent()).not.toContain('page 2');
  });

  test('a save that fails keeps the earlier version and the edited text, with an alert naming it', async () => {
    await add(
      textFile('ferry.md', '# Ferry\n\nThe night ferry leaves at 23:40 from pier 4.'),
      textFile('bus.md', '# Bus\n\nThe airport bus leaves every 20 minutes.'),
    );
    await page.getByRole('button', { name: 'Edit ferry.md' }).click();
    // The text of another stored document: the knowledge base refuses a second copy.
    const copy = '# Bus\n\nThe airport bus leaves every 20 minutes.';
    await documentText().fill(copy);
    await editor('ferry.md').getByRole('button', { name: 'Save' }).click();
    const alert = editor('ferry.md').getByRole('alert');
    await expect
      .poll(() => alert.textContent(), { timeout: 60_000 })
      .toBe(
        '“ferry.md” was not saved: “ferry.md” is already in the knowledge base as “bus.md”. ' +
          'The earlier version is unchanged, and your edited text is still here.',
      );
    expect(await documentText().inputValue()).toBe(copy);
    expect(await documents().count()).toBe(2);
    // Said once, in the editor.
    expect(await page.getByRole('alert').count()).toBe(1);

    // Emptied, it is refused before anything is embedded.
    await documentText().fill('  \n');
    await editor('ferry.md').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => alert.textContent()).toContain('its text is empty');

    await ask('When does the night ferry leave?');
    await expect
      .poll(() => passages().filter({ hasText: 'ferry.md' }).textContent(), { timeout: 60_000 })
      .toContain('23:40');
  });
});

describe('closing the page mid-save', () => {
  test('loses nothing: the earlier version stays, and the edit opens again', async () => {
    const paragraphs = Array.from(
      { length: 6000 },
      (_, i) => `Paragraph ${i}: the survey team logged ${i % 97} herons near marker ${i % 13}.`,
    );
    paragraphs[0] = 'The survey boat is moored at jetty 3.';
    await add(textFile('survey-log.txt', paragraphs.join('\n\n')));
    const before = await dumpDatabase(page);

    await page.getByRole('button', { name: 'Edit survey-log.txt' }).click();
    const edited = (await documentText().inputValue()).replace('jetty 3', 'jetty 9');
    // Typed, as a person would: the text box starts at the top, on the first line.
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('The survey boat is moored at jetty 9.');
    expect(await documentText().inputValue()).toBe(edited);
    await editor('survey-log.txt').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => files().getByRole('listitem').last().textContent(), { timeout: 60_000 })
      .toMatch(/Embedding [1-9]\d* of \d+ chunks/);
    await page.reload();

    // The edit is open again, with the notice; the earlier version is stored, whole.
    const reopened = editor('survey-log.txt');
    await expect
      .poll(() => reopened.getByRole('status').first().textContent(), { timeout: 30_000 })
      .toContain('Your edit of “survey-log.txt” was being saved when the page closed');
    expect(await documentText().inputValue()).toBe(edited);
    expect(await documents().count()).toBe(1);
    expect(await dumpDatabase(page)).toEqual(before);
    // Not also told to add the file again, which the person never had.
    expect(await page.getByRole('alert').count()).toBe(0);

    await reopened.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => reopened.count(), { timeout: 300_000 }).toBe(0);
    expect(await documents().count()).toBe(1);
    await ask('Where is the survey boat moored?');
    await expect
      .poll(() => passages().first().textContent(), { timeout: 60_000 })
      .toContain('jetty 9');

    // Saved: the next start has nothing to open again.
    await page.reload();
    await expect.poll(() => documents().count()).toBe(1);
    expect(await page.getByRole('form').count()).toBe(0);
  });
});
