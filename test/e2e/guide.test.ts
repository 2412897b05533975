/**
 * The RAG-or-fine-tuning guide, in Chromium against the built app: found by its name, its
 * answers lead to the expected recommendation and reasons, they are kept over a reload until
 * Start over, its links move the focus to the part of Grounded that shows the point, and all of
 * it works from the keyboard alone.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appUrl, openPage, useChromium } from './harness';

const browser = useChromium('wasm');

const guideOf = (page: Page) => page.getByRole('region', { name: 'RAG or fine-tuning?' });
const verdictOf = (page: Page) =>
  guideOf(page).getByRole('status', { name: 'Recommendation' }).textContent();
const reasonsOf = (page: Page) =>
  guideOf(page).getByRole('list', { name: 'Reasons' }).getByRole('listitem').allTextContents();

/** Picks, in each named question, the option whose label starts with the given words. */
async function answer(page: Page, answers: Record<string, string>) {
  for (const [question, option] of Object.entries(answers)) {
    await guideOf(page)
      .getByRole('group', { name: question })
      .getByRole('radio', { name: new RegExp(`^${option}`) })
      .check();
  }
}

const KNOWLEDGE = 'Does the knowledge your answers rely on change?';
const CITATIONS = 'Must answers cite their sources?';
const PROBLEM = 'What is wrong with the answers a model gives from a plain prompt?';
const DATA = /^Do you have labelled data/;
const CAPACITY = /^Can you train, host and retrain a model/;

/** The name of the element that has the focus, and whether it is inside the named region. */
function focused(page: Page) {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    const region = active?.closest('section');
    return {
      tag: active?.tagName.toLowerCase(),
      label: active?.getAttribute('aria-label') ?? active?.textContent?.trim().slice(0, 60),
      region:
        region?.getAttribute('aria-label') ??
        document.getElementById(region?.getAttribute('aria-labelledby') ?? '')?.textContent,
    };
  });
}

describe('the RAG-or-fine-tuning guide', () => {
  let page: Page;
  let context: BrowserContext;
  let errors: string[];
  let blocked: string[];

  beforeAll(async () => {
    ({ page, context, errors, blocked } = await openPage(browser(), appUrl()));
    await guideOf(page).waitFor();
  });

  afterAll(async () => {
    await context?.close();
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  test('a changing handbook that must be cited: RAG, with the reasons from those answers', async () => {
    await guideOf(page).getByText('RAG or fine-tuning?').click();
    expect(await verdictOf(page)).toContain('Answer the questions');
    await answer(page, { [KNOWLEDGE]: 'Often', [CITATIONS]: 'Yes', [PROBLEM]: 'Facts' });
    expect(await verdictOf(page)).toContain('2 of 5 questions left');
    await page.getByRole('group', { name: DATA }).getByRole('radio', { name: 'No' }).check();
    await page.getByRole('group', { name: CAPACITY }).getByRole('radio', { name: 'No' }).check();

    expect(await verdictOf(page)).toContain('Retrieval (RAG).');
    const reasons = await reasonsOf(page);
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/^\s*What is wrong\? Facts: .*\.\s+The answers lack your facts/);
    expect(reasons[1]).toMatch(
      /^\s*Does the knowledge change\? Often: .*\.\s+Your knowledge changes often/,
    );
    expect(reasons[2]).toMatch(
      /^\s*Must answers cite sources\? Yes: people must .*\.\s+Answers must cite their sources/,
    );
  });

  test('the answers are kept over a reload', async () => {
    await page.reload();
    await guideOf(page).waitFor();
    // Opened by itself, since there are answers to come back to.
    await expect
      .poll(() => guideOf(page).getByRole('status', { name: 'Recommendation' }).isVisible())
      .toBe(true);
    expect(await verdictOf(page)).toContain('Retrieval (RAG).');
    expect(
      await page
        .getByRole('group', { name: KNOWLEDGE })
        .getByRole('radio', { name: /^Often/ })
        .isChecked(),
    ).toBe(true);
  });

  test('a settled domain, a house style and a team that can train: fine-tuning', async () => {
    await answer(page, { [KNOWLEDGE]: 'Rarely', [CITATIONS]: 'No', [PROBLEM]: 'Style' });
    await page.getByRole('group', { name: DATA }).getByRole('radio', { name: 'Yes' }).check();
    await page.getByRole('group', { name: CAPACITY }).getByRole('radio', { name: 'Yes' }).check();
    expect(await verdictOf(page)).toContain('Fine-tuning.');
    const reasons = await reasonsOf(page);
    expect(reasons[0]).toMatch(/labelled examples and the capacity to train/);
    expect(reasons[1]).toMatch(
      /^\s*Does the knowledge change\? Rarely.*\.\s+Your knowledge rarely changes/,
    );

    // Without the capacity to train, the honest answer is to prompt first.
    await page.getByRole('group', { name: CAPACITY }).getByRole('radio', { name: 'No' }).check();
    expect(await verdictOf(page)).toContain('Neither yet: prompt first.');
    expect((await reasonsOf(page))[0]).toMatch(/capacity to train and host a model/);

    // Must cite, with the capacity back: both.
    await page.getByRole('group', { name: CAPACITY }).getByRole('radio', { name: 'Yes' }).check();
    await answer(page, { [CITATIONS]: 'Yes' });
    expect(await verdictOf(page)).toContain('Both: retrieval for the facts');
  });

  test('not measured yet: evaluate first, and its link moves the focus to Evaluation', async () => {
    await answer(page, { [PROBLEM]: 'I have not measured' });
    expect(await verdictOf(page)).toContain('Neither yet: evaluate first.');
    await guideOf(page)
      .getByRole('list', { name: 'Reasons' })
      .getByRole('button', { name: 'Evaluate first' })
      .click();
    expect((await focused(page)).region).toBe('Evaluation');

    await guideOf(page).getByRole('button', { name: 'See the passages' }).first().click();
    expect((await focused(page)).region).toBe('Retrieved passages');
    await guideOf(page)
      .getByRole('button', { name: 'See it: edit a fact and ask again' })
      .first()
      .click();
    expect((await focused(page)).region).toBe('Documents');
  });

  test('Start over clears the answers, for good', async () => {
    await guideOf(page).getByRole('button', { name: 'Start over' }).click();
    expect(await verdictOf(page)).toContain('Answer the questions');
    expect(await guideOf(page).getByRole('radio', { checked: true }).count()).toBe(0);
    expect(await guideOf(page).getByRole('button', { name: 'Start over' }).isDisabled()).toBe(true);
    await page.reload();
    await guideOf(page).waitFor();
    expect(await guideOf(page).getByRole('radio', { checked: true }).count()).toBe(0);
  });

  test('keyboard only: open, answer every question, follow a link', async () => {
    await page.reload();
    await guideOf(page).waitFor();
    // From the guide's summary, Tab and the arrow keys do the rest.
    await guideOf(page).locator('summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // Knowledge: the first option is focused with Tab; ArrowDown checks the next ("Now and then").
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toMatchObject({ tag: 'input', region: 'RAG or fine-tuning?' });
    // Citations: Yes. Problem: Facts. Labelled data: No. Capacity: No.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');

    expect(await verdictOf(page)).toContain('Retrieval (RAG).');
    const reasons = await reasonsOf(page);
    expect(reasons[1]).toMatch(
      /^\s*Does the knowledge change\? Now and then.*\.\s+Your knowledge changes now and then/,
    );

    // On to the first reason's link, and Enter follows it.
    await page.keyboard.press('Tab');
    expect((await focused(page)).label).toBe('See the passages');
    await page.keyboard.press('Enter');
    expect((await focused(page)).region).toBe('Retrieved passages');
  });
});
