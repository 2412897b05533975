/**
 * Hybrid search you can see into: each passage says where it stood in the dense and keyword
 * rankings, and the question's keywords are highlighted. Keyword search finds exact codes that
 * embeddings blur.
 */
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { appUrl, openPage, useChromium } from './harness';

const browser = useChromium('wasm');
let page: Page;
let errors: string[];

async function open(params: Record<string, string> = {}) {
  ({ page, errors } = await openPage(browser(), appUrl(params)));
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 120_000,
    })
    .toBe(8);
}

beforeEach(() => async () => {
  await page?.context().close();
  expect(errors).toEqual([]);
});

const passages = () =>
  page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');

async function ask(question: string) {
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect.poll(() => passages().count(), { timeout: 60_000 }).toBeGreaterThan(0);
}

describe('retrieval modes', () => {
  test('hybrid (the default) shows dense and keyword ranks and highlights the keywords', async () => {
    await open();
    await ask('How many weeks of parental leave?');
    const first = passages().first();
    expect(await first.textContent()).toMatch(/fused 0\.\d{4}/);
    const why = (await first.getByTestId('why-retrieved').textContent()) ?? '';
    expect(why).toMatch(/dense (#\d+ \(-?0\.\d{3}\)|not in its top results)/);
    expect(why).toMatch(/keyword #\d+ \(\d+\.\d{2}\)/);
    const marks = (await first.locator('mark').allTextContents()).map((m) => m.toLowerCase());
    expect(marks.some((m) => m.startsWith('parental') || m.startsWith('leave'))).toBe(true);
    expect(await passages().first().textContent()).toContain('30 weeks of parental leave');
  });

  test('keyword mode ranks by BM25 and needs no embedding', async () => {
    await open({ retrieval: 'keyword' });
    await ask('PLV-2231');
    const text = (await passages().first().textContent()) ?? '';
    expect(text).toMatch(/BM25 \d+\.\d{2}/);
    expect(text).toContain('PLV-2231');
    expect(await passages().first().getByTestId('why-retrieved').count()).toBe(0);
  });

  test('the reranker rescores the top passages with a cross-encoder from the mirror', async () => {
    await open({ reranker: 'grounded-test/tiny-reranker' });
    await ask('How many weeks of parental leave do employees get?');
    await expect
      .poll(() => page.getByRole('region', { name: 'Retrieved passages' }).textContent(), {
        timeout: 60_000,
      })
      .toMatch(/rerank \d/);
    const reranked = await passages().getByTestId('reranked').allTextContents();
    expect(reranked).toHaveLength(5);
    const scores = reranked.map((t) => Number(/rerank score (-?[\d.]+)/.exec(t)?.[1]));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const t of reranked) expect(t).toMatch(/retrieved at #\d+/);
  });

  test('the mode is a setting that persists', async () => {
    await open();
    await page.getByText('Settings', { exact: true }).click();
    await page.getByLabel('Search by').selectOption('keyword');
    await page.reload();
    await page.getByText('Settings', { exact: true }).click();
    expect(await page.getByLabel('Search by').inputValue()).toBe('keyword');
  });
});
