/**
 * Retrieval on the sample corpus with a real embedding model: all-MiniLM-L6-v2 (int8, WASM),
 * served from models/ by the test mirror, hybrid search with the default settings. For each of
 * the 20 sample questions with a source file, that file should be among the retrieved passages
 * as often as the Node benchmark measured (BENCHMARKS.md, "Retrieval on the sample corpus").
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { EvalQuestion } from '../../src/lib/core/eval/questions';
import { parseSampleSet } from '../../src/lib/core/eval/sample-set';
import { appUrl, openPage, useChromium } from './harness';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const questions = parseSampleSet(
  readFileSync(new URL('../../static/samples/QUESTIONS.md', import.meta.url), 'utf8'),
).questions.filter((q): q is EvalQuestion & { source: string } => q.source !== undefined);

/**
 * The source file among the top 5 passages (hybrid, RRF k = 60) for 20 of 20 questions, measured
 * in Node with the same model file, chunking and retrieve(): `npm run eval:samples -- --models
 * http://127.0.0.1:PORT/ --model Xenova/all-MiniLM-L6-v2` beside `node scripts/serve-mirror.mjs
 * models --port PORT` (row "all-MiniLM-L6-v2 | hybrid, RRF k = 60 (app default)", hit@5).
 */
const MEASURED_HITS = 20;

const browser = useChromium('wasm');
let page: Page;
let errors: string[];
let blocked: string[];

beforeAll(async () => {
  ({ page, errors, blocked } = await openPage(
    browser(),
    appUrl({ embedder: MODEL, backend: 'wasm' }),
  ));
});

const region = () => page.getByRole('region', { name: 'Retrieved passages' });

/** The document each retrieved passage names, best first. */
async function retrievedDocuments(question: string): Promise<string[]> {
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect
    .poll(() => region().textContent(), { timeout: 60_000 })
    .toContain(`for “${question}”`);
  const items = await region().getByRole('listitem').allTextContents();
  return items.map((text) => /([\w.-]+\.(?:md|txt))(?:, page \d+)? · chunk/.exec(text)?.[1] ?? '');
}

describe(`retrieval on the sample corpus with ${MODEL} (WASM)`, () => {
  test('the source document is retrieved at least as often as measured in Node', async () => {
    expect(questions).toHaveLength(20);
    await page.getByRole('button', { name: 'Load sample documents' }).click();
    await expect
      .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
        timeout: 600_000,
      })
      .toBe(8);
    const status = page.getByRole('status', { name: 'Embedding model' });
    await expect.poll(() => status.textContent()).toContain('all-MiniLM-L6-v2');

    const missed: string[] = [];
    for (const q of questions) {
      const documents = await retrievedDocuments(q.question);
      expect(documents).toHaveLength(5);
      expect(documents).not.toContain('');
      if (!documents.includes(q.source)) missed.push(`${q.id} (${documents.join(', ')})`);
    }
    expect(missed.length, `sources not retrieved: ${missed.join('; ')}`).toBeLessThanOrEqual(
      questions.length - MEASURED_HITS,
    );
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  }, 900_000);
});
