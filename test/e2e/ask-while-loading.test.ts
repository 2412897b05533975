/**
 * A question asked while the language model is still downloading waits for it and is answered
 * when it is ready; Stop gives up waiting. The model file's download is held back by the test
 * (a route on the GGUF) until the question has been asked.
 */
import type { Page } from 'playwright-core';
import { beforeEach, expect, test } from 'vitest';
import { appUrl, openPage, useChromium } from './harness';

const STORIES = 'grounded-test/stories260K/stories260K.gguf';
const browser = useChromium('wasm');
let page: Page;
let errors: string[];

beforeEach(() => async () => {
  await page?.context().close();
  expect(errors).toEqual([]);
});

const pane = (name: string) => page.getByRole('region', { name, exact: true });
const stateOf = (name: string) => pane(name).getByTestId('answer-state').textContent();
const modelStatus = () => page.getByRole('status', { name: 'Language model status' });

/** Opens the app with the samples loaded and the model's download held until `release()`. */
async function openHeld(): Promise<() => void> {
  ({ page, errors } = await openPage(browser(), appUrl({ gguf: STORIES, temperature: '0' })));
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 120_000,
    })
    .toBe(8);
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.context().route('**/stories260K.gguf*', async (route) => {
    await held;
    await route.fallback();
  });
  await page.getByRole('button', { name: 'Load model', exact: true }).click();
  await expect.poll(() => modelStatus().textContent()).not.toMatch(/is ready/);
  await page.getByLabel('Question', { exact: true }).fill('How many weeks of parental leave?');
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  return release;
}

test('a question asked while the model loads waits for it, then both answers come', async () => {
  const release = await openHeld();
  // The passages come at once; the answers wait, and say for what.
  await expect
    .poll(() =>
      page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem').count(),
    )
    .toBeGreaterThan(0);
  await expect
    .poll(() => pane('Grounded answer').textContent())
    .toContain('Waiting for stories260K');
  expect(await stateOf('Ungrounded answer')).toBe('Waiting');
  expect(await page.getByRole('button', { name: 'Stop' }).isEnabled()).toBe(true);

  release();
  await expect.poll(() => modelStatus().textContent(), { timeout: 60_000 }).toMatch(/is ready/);
  await expect.poll(() => stateOf('Ungrounded answer'), { timeout: 120_000 }).toBe('Done');
  expect(await stateOf('Grounded answer')).toBe('Done');
  expect(((await pane('Grounded answer').locator('.answer').textContent()) ?? '').trim()).not.toBe(
    '',
  );
});

test('Stop gives up waiting: the model loads, and no answer starts until asked again', async () => {
  const release = await openHeld();
  await expect.poll(() => stateOf('Grounded answer')).toBe('Waiting');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect.poll(() => stateOf('Grounded answer')).toBe('Stopped');
  expect(await pane('Ungrounded answer').textContent()).toContain(
    'Stopped before the language model was ready.',
  );
  release();
  await expect.poll(() => modelStatus().textContent(), { timeout: 60_000 }).toMatch(/is ready/);
  await page.waitForTimeout(1000);
  expect([await stateOf('Grounded answer'), await stateOf('Ungrounded answer')]).toEqual([
    'Stopped',
    'Stopped',
  ]);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect.poll(() => stateOf('Ungrounded answer'), { timeout: 120_000 }).toBe('Done');
});
