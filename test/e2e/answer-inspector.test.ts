/**
 * The answer inspector in Chromium with the tiny models (stories260K answers, the tiny random
 * embedder, which is not calibrated, so the check is by words and details). At temperature 0
 * the story model writes the same ungrounded answer whatever the passages, so the test can put
 * that answer's own sentences in a document and see them marked supported, while a sentence no
 * document holds is not found.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, beforeEach, expect, test } from 'vitest';
import { appUrl, openPage, textFile, useChromium } from './harness';

const STORIES = fileURLToPath(
  new URL('../fixtures/models/grounded-test/stories260K/stories260K.gguf', import.meta.url),
);
const browser = useChromium('wasm');
let page: Page;
let errors: string[];
let gguf: Buffer;

beforeAll(async () => {
  gguf = await readFile(STORIES);
});
beforeEach(() => async () => {
  await page?.context().close();
  expect(errors).toEqual([]);
});

const pane = (name: string) => page.getByRole('region', { name, exact: true });
const marks = (region: Locator) =>
  region.getByRole('button', { name: /^(Supported|Partly supported|Not found in the passages): / });

async function ask(question: string) {
  const summaries = page.getByTestId('support-summary');
  const shown = await summaries.count();
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  // The last question's checks go when the new answers start.
  if (shown > 0) await expect.poll(() => summaries.count(), { timeout: 60_000 }).toBe(0);
  for (const name of ['Grounded answer', 'Ungrounded answer']) {
    await expect
      .poll(() => pane(name).getByTestId('support-summary').count(), { timeout: 120_000 })
      .toBe(1);
  }
}

const QUESTION = 'What did Lily see in the park?';

/** Each marked sentence's accessible name. */
const names = (region: Locator) =>
  marks(region).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
const sentenceOf = (name: string) =>
  name.replace(/^[^:]+: /, '').replace(/ \((“[^”]*” is in no passage|cites \[\d+\])[^)]*\)$/, '');

async function openWithStories() {
  ({ page, errors } = await openPage(browser(), appUrl({ temperature: '0' })));
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 120_000,
    })
    .toBe(8);
  await page.getByLabel('Load model file').setInputFiles({
    name: 'stories260K.gguf',
    mimeType: 'application/octet-stream',
    buffer: gguf,
  });
  await expect
    .poll(() => page.getByRole('status', { name: 'Language model status' }).textContent(), {
      timeout: 60_000,
    })
    .toMatch(/is ready/);
}

test('sentences a passage states are supported, others not found; selecting one shows its evidence', async () => {
  await openWithStories();
  await ask(QUESTION);
  const ungrounded = pane('Ungrounded answer');
  const before = await names(ungrounded);
  expect(before.length).toBeGreaterThan(2);
  // Readable without colour: each mark starts with its icon.
  const icons = await marks(ungrounded).evaluateAll((els) =>
    els.map((e) => e.textContent!.trim()[0]),
  );
  expect(icons.every((i) => ['✓', '◐', '✗'].includes(i!))).toBe(true);
  // The story is in no sample document: nothing of it is supported.
  expect(before.filter((n) => n.startsWith('Supported:'))).toEqual([]);
  // A name in no passage is marked on its own.
  const invented = before.find((n) => n.includes(' is in no passage'))!;
  expect(invented).toBeDefined();
  const detail = /“([^”]+)” is in no passage/.exec(invented)![1]!;
  const inventedMark = marks(ungrounded).filter({ hasText: detail }).first();
  expect(await inventedMark.locator('mark').first().textContent()).toBe(detail);

  // A document that states one of the answer's sentences, and a line of markup.
  const sentence = before
    .map(sentenceOf)
    .find((t) => t.split(' ').length >= 8 && !/["“”]/.test(t))!;
  expect(sentence).toBeDefined();
  await page
    .getByLabel('Add documents')
    .setInputFiles(
      textFile(
        'park-notes.txt',
        `${QUESTION}\n\n${sentence}\n\nNotes: <img src=x onerror="document.title='pwned'"> stays text.\n`,
      ),
    );
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 60_000,
    })
    .toBe(9);
  await ask(QUESTION);
  const after = await names(ungrounded);
  // The same answer (temperature 0), now checked against passages that include the note.
  expect(after.map(sentenceOf)).toEqual(before.map(sentenceOf));
  const supported = after.find((n) => sentenceOf(n) === sentence)!;
  expect(supported).toBe(`Supported: ${sentence}`);
  const summary = (await ungrounded.getByTestId('support-summary').textContent()) ?? '';
  expect(summary).toMatch(new RegExp(`${after.length} sentences: [1-9]\\d* supported`));

  // Selecting it marks its evidence in Retrieved passages: the note's sentence.
  const mark = marks(ungrounded).filter({ hasText: sentence }).first();
  await mark.click();
  expect(await mark.getAttribute('aria-pressed')).toBe('true');
  const passages = page.getByRole('region', { name: 'Retrieved passages' });
  const evidence = passages.getByTestId('evidence');
  await expect.poll(() => evidence.count()).toBeGreaterThan(0);
  expect((await evidence.allTextContents()).join('')).toBe(sentence);
  const item = passages.getByRole('listitem').filter({ has: page.getByTestId('evidence') });
  expect(await item.textContent()).toContain('park-notes.txt');
  expect(await item.getByTestId('evidence-note').count()).toBe(1);
  const inspect = ungrounded.getByRole('complementary', { name: 'Selected sentence' });
  expect(await inspect.textContent()).toMatch(
    /Supported\.\s+Closest evidence: passage #\d+ \(park-notes\.txt\)/,
  );
  // Selecting it again clears the evidence.
  await mark.click();
  await expect.poll(() => evidence.count()).toBe(0);

  // Document text stays text.
  expect(await passages.locator('img').count()).toBe(0);
  expect(await page.title()).not.toBe('pwned');

  // The grounded answer is checked too, with its citations.
  const grounded = pane('Grounded answer');
  expect((await names(grounded)).length).toBeGreaterThan(0);
  expect(await grounded.getByTestId('support-summary').textContent()).toMatch(
    /no citation to check|citations? holds?/,
  );

  // The formatted answer is one click away, and back.
  await ungrounded.getByRole('button', { name: 'Show formatted answer' }).click();
  expect(await marks(ungrounded).count()).toBe(0);
  await ungrounded.getByRole('button', { name: 'Show support marks' }).click();
  expect(await marks(ungrounded).count()).toBe(after.length);
});
