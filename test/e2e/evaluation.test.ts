/**
 * The Evaluation panel in Chromium with the tiny models: stories260K (a real GGUF run by wllama,
 * not instruction-tuned: it tells children's stories whatever it is asked) and the tiny random
 * embedder. The answers are never right, so these tests check the mechanics a person relies on —
 * a run asks every question with both answers, the scoreboard adds up to its rows, Cancel keeps
 * what finished, runs survive a reload, a bad file names its line, an export reads back.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { EvalRun } from '../../src/lib/core/eval/run';
import { parseRunJson, runToJson } from '../../src/lib/core/eval/run-export';
import { RUN } from '../../src/lib/core/eval/run-fixture';
import { parseSampleSet } from '../../src/lib/core/eval/sample-set';
import { appUrl, openPage, useChromium } from './harness';

const STORIES = fileURLToPath(
  new URL('../fixtures/models/grounded-test/stories260K/stories260K.gguf', import.meta.url),
);

const QUESTIONS_MD = fileURLToPath(new URL('../../static/samples/QUESTIONS.md', import.meta.url));

const browser = useChromium('wasm');
let page: Page;
let errors: string[];
let gguf: Buffer;

beforeAll(async () => {
  gguf = await readFile(STORIES);
});

beforeEach(() => {
  return async () => {
    await page?.context().close();
    expect(errors).toEqual([]);
  };
});

/** Short answers keep a run of 22 questions to about a minute. */
async function open(params: Record<string, string> = {}) {
  ({ page, errors } = await openPage(
    browser(),
    appUrl({ max_tokens: '16', temperature: '0', ...params }),
  ));
}

const panel = () => page.getByRole('region', { name: 'Evaluation', exact: true });
const scoreboard = () => panel().getByRole('region', { name: 'Scoreboard', exact: true });
const status = () => panel().getByRole('status', { name: 'Evaluation status' });
const runButton = () => panel().getByRole('button', { name: 'Run evaluation', exact: true });

async function loadSamples() {
  await page.getByRole('button', { name: 'Load sample documents' }).click();
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 120_000,
    })
    .toBe(8);
}

async function loadModel() {
  await page.getByLabel('Load model file').setInputFiles({
    name: 'stories260K.gguf',
    mimeType: 'application/octet-stream',
    buffer: gguf,
  });
  await expect
    .poll(() => page.getByRole('status', { name: 'Language model status' }).textContent(), {
      timeout: 60_000,
    })
    .toMatch(/stories260K\.gguf is ready/);
}

async function importQuestions(name: string, text: string) {
  await panel()
    .getByLabel('Import questions')
    .setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

/** The first number of "3 of 4 (75 %)", and the second; "–" reads as 0 of 0. */
function counts(text: string | null): [number, number] {
  const match = /(\d+) of (\d+)/.exec(text ?? '');
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

/** A summary row's grounded and ungrounded cells. */
async function summaryRow(testId: string): Promise<[[number, number], [number, number]]> {
  const cells = scoreboard().getByTestId(testId).getByRole('cell');
  return [counts(await cells.nth(0).textContent()), counts(await cells.nth(1).textContent())];
}

describe('evaluation runs', () => {
  test('the sample set runs end to end, and the scoreboard adds up to its rows', async () => {
    await open();
    await loadSamples();
    await expect.poll(() => runButton().isDisabled()).toBe(true);
    expect(await panel().textContent()).toContain('Load a language model first');
    await loadModel();
    expect(await panel().getByRole('radio', { name: 'Sample questions' }).isChecked()).toBe(true);
    await runButton().click();

    // While it runs: progress, and Ask waits.
    const progress = panel().getByRole('progressbar', { name: 'Evaluation progress' });
    await expect.poll(() => progress.getAttribute('aria-valuemax'), { timeout: 30_000 }).toBe('22');
    expect(await page.getByRole('button', { name: 'Ask', exact: true }).isDisabled()).toBe(true);
    await expect
      .poll(() => progress.getAttribute('aria-valuetext'), { timeout: 60_000 })
      .toMatch(/^\d+ of 22 questions, about .+ left$/);

    await expect.poll(() => status().textContent(), { timeout: 600_000 }).toMatch(/Finished/);
    expect((await status().textContent())?.trim()).toBe('Finished: 22 of 22 questions, kept.');

    // Every question has a row, under its category.
    const rows = scoreboard().locator('li[data-question-id]');
    expect(await rows.count()).toBe(22);
    const inCategory = (category: string) =>
      scoreboard()
        .getByRole('list', { name: `Questions: ${category}`, exact: true })
        .locator(':scope > li')
        .count();
    const sample = parseSampleSet(await readFile(QUESTIONS_MD, 'utf8')).questions;
    const expected = (category: string) => sample.filter((q) => q.category === category).length;
    for (const category of ['Cannot know', 'Will guess wrong', 'Control']) {
      expect(await inCategory(category)).toBe(expected(category));
    }
    expect(expected('Control')).toBe(2);
    const method = await scoreboard().locator('.method').textContent();
    expect(method).toMatch(/^Scored by fact matching, not human judgement/);

    // The summary counts what the rows show.
    let groundedRight = 0;
    let ungroundedRight = 0;
    let hitsAtK = 0;
    let hitsAt1 = 0;
    const answerable = scoreboard().locator(
      'ul[aria-label="Questions: Cannot know"] > li, ul[aria-label="Questions: Will guess wrong"] > li',
    );
    expect(await answerable.count()).toBe(20);
    for (let i = 0; i < 20; i++) {
      const row = answerable.nth(i);
      if ((await row.getByTestId('grounded-verdict').textContent())?.includes('✓')) groundedRight++;
      if ((await row.getByTestId('ungrounded-verdict').textContent())?.includes('✓'))
        ungroundedRight++;
      const sources = row.locator('ol.sources > li');
      const ranks = await sources.evaluateAll((items) =>
        items.map((item, rank) => (item.classList.contains('source') ? rank + 1 : 0)),
      );
      if (ranks.some((r) => r > 0)) hitsAtK++;
      if (ranks[0] === 1) hitsAt1++;
    }
    const [[gCorrect, gOf], [uCorrect, uOf]] = await summaryRow('every-fact');
    expect([gCorrect, gOf, uCorrect, uOf]).toEqual([groundedRight, 20, ungroundedRight, 20]);
    const retrieval = (await scoreboard().getByTestId('retrieval-figures').textContent()) ?? '';
    expect(retrieval).toContain(`first (hit@1) ${hitsAt1} of 20`);
    expect(retrieval).toContain(`(hit@5) ${hitsAtK} of 20`);
    // Keyword search finds most sources even with the random tiny embedder.
    expect(hitsAtK).toBeGreaterThan(10);
    // stories260K never states a fact: every miss has a reason, and retrieval misses add up.
    const misses = await scoreboard()
      .getByRole('list', { name: 'Why grounded answers missed a fact' })
      .getByRole('listitem')
      .allTextContents();
    const count = (label: RegExp) =>
      Number(/: (\d+)$/.exec(misses.find((m) => label.test(m)) ?? ': 0')![1]);
    expect(misses.reduce((sum, m) => sum + Number(/: (\d+)$/.exec(m)![1]), 0)).toBe(
      20 - groundedRight,
    );
    expect(count(/^Retrieval missed/)).toBe(20 - hitsAtK);

    // Ask is back, and the run is kept.
    await page.getByLabel('Question', { exact: true }).fill('How long is parental leave?');
    expect(await page.getByRole('button', { name: 'Ask', exact: true }).isDisabled()).toBe(false);
    expect(
      await panel().getByRole('list', { name: 'Kept runs' }).getByRole('listitem').count(),
    ).toBe(1);
  });

  test('an imported set is scored on its facts and its support; the JSON export reads back whole', async () => {
    await open();
    await loadSamples();
    await loadModel();
    // stories260K's stories always hold "the" and never "zebrafish": one fact found, one not.
    await importQuestions(
      'my-questions.jsonl',
      [
        { question: 'Who is in the story?', facts: ['the'], source: 'employee-handbook.md' },
        { question: 'Which fish?', facts: ['zebrafish'] },
        { question: 'Both?', facts: ['the', 'zebrafish'] },
        { question: 'What is the CEO’s salary?', kind: 'unanswerable' },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
    );
    // The file is read asynchronously: on a busy machine the set is picked a moment later.
    await expect
      .poll(() => panel().getByRole('radio', { name: 'Imported questions' }).isChecked())
      .toBe(true);
    await runButton().click();
    await expect.poll(() => status().textContent(), { timeout: 300_000 }).toMatch(/Finished/);

    const [[gCorrect, gOf], [uCorrect, uOf]] = await summaryRow('every-fact');
    expect([gOf, uOf]).toEqual([3, 3]);
    const rows = scoreboard().locator('li[data-question-id]');
    const verdicts = await rows.evaluateAll((items) =>
      items.map((item) => [
        item.querySelector('[data-testid="grounded-verdict"]')?.textContent ?? '',
        item.querySelector('[data-testid="ungrounded-verdict"]')?.textContent ?? '',
      ]),
    );
    expect(verdicts).toHaveLength(4);
    const passes = (side: 0 | 1) =>
      verdicts.slice(0, 3).filter((v) => v[side]!.includes('✓')).length;
    expect([gCorrect, uCorrect]).toEqual([passes(0), passes(1)]);
    // "zebrafish" is missing from every answer, so at most the first question passes.
    expect(verdicts[1]![0]).toMatch(/0 of 1 facts/);
    expect(verdicts[2]![0]).toMatch(/of 2 facts|has all 2 facts/);

    // Every answer was checked against its passages; the support figures add up to the rows'.
    const lines = await rows.evaluateAll((items) =>
      items.map((item) => [
        item.querySelector('[data-testid="grounded-support"]')?.textContent ?? '',
        item.querySelector('[data-testid="ungrounded-support"]')?.textContent ?? '',
      ]),
    );
    const totals = (side: 0 | 1) => {
      const sum = {
        answers: 0,
        sentences: 0,
        supported: 0,
        partial: 0,
        missing: 0,
        citations: 0,
        holding: 0,
      };
      for (const line of lines.map((l) => l[side]!.replace(/\s+/g, ' '))) {
        expect(line).not.toContain('Not checked');
        sum.answers++;
        const sentences =
          /(\d+) sentences?: (\d+) supported, (\d+) partly supported, (\d+) not found/.exec(line);
        if (sentences) {
          sum.sentences += Number(sentences[1]);
          sum.supported += Number(sentences[2]);
          sum.partial += Number(sentences[3]);
          sum.missing += Number(sentences[4]);
        } else expect(line).toContain('No sentence makes a claim to check.');
        const citations = /(\d+) of (\d+) citations? holds?/.exec(line);
        if (citations) {
          sum.holding += Number(citations[1]);
          sum.citations += Number(citations[2]);
        }
      }
      return sum;
    };
    const [grounded, ungrounded] = [totals(0), totals(1)];
    expect([grounded.answers, ungrounded.answers]).toEqual([4, 4]);
    // stories260K writes sentences even unasked: the ungrounded ones were checked too.
    expect(ungrounded.sentences).toBeGreaterThan(0);
    expect(await summaryRow('sentences-supported')).toEqual([
      [grounded.supported, grounded.sentences],
      [ungrounded.supported, ungrounded.sentences],
    ]);
    expect(await summaryRow('sentences-partly-supported')).toEqual([
      [grounded.partial, grounded.sentences],
      [ungrounded.partial, ungrounded.sentences],
    ]);
    expect(await summaryRow('sentences-not-found')).toEqual([
      [grounded.missing, grounded.sentences],
      [ungrounded.missing, ungrounded.sentences],
    ]);
    const [precision] = await summaryRow('citation-precision');
    expect(precision).toEqual([grounded.holding, grounded.citations]);
    expect(await scoreboard().getByTestId('support-coverage').textContent()).toMatch(
      /4 of 4 grounded .* and 4 of 4 ungrounded/,
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      scoreboard().getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const text = await readFile((await download.path())!, 'utf8');
    const run = parseRunJson(text, download.suggestedFilename());
    expect(run.questionSet.name).toBe('my-questions.jsonl');
    expect(run.results).toHaveLength(4);
    expect(run.settings.sampling.maxTokens).toBe(16);
    expect(run.cancelled).toBe(false);
    const json = JSON.parse(text) as { summary: Record<string, number> };
    expect(json.summary.groundedCorrect).toBe(gCorrect);
    expect(run.results.every((r) => r.grounded.support && r.ungrounded.support)).toBe(true);
    expect(json.summary).toMatchObject({
      groundedSentencesChecked: grounded.sentences,
      groundedSentencesSupported: grounded.supported,
      groundedCitationsChecked: grounded.citations,
      groundedCitationsHolding: grounded.holding,
      ungroundedSentencesChecked: ungrounded.sentences,
      ungroundedSentencesSupported: ungrounded.supported,
    });

    // And the app reads it back as a kept run.
    await panel()
      .getByLabel('Import a run')
      .setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect
      .poll(() => panel().getByRole('list', { name: 'Kept runs' }).getByRole('listitem').count())
      .toBe(1);
  });

  test('Cancel stops at once and keeps what finished; the run survives a reload', async () => {
    await open({ max_tokens: '48' });
    await loadSamples();
    await loadModel();
    await runButton().click();
    const progress = panel().getByRole('progressbar', { name: 'Evaluation progress' });
    await expect
      .poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 120_000 })
      .toBeGreaterThanOrEqual(2);
    await panel().getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toMatch(/Cancelled/);
    const [, kept] = /Cancelled after (\d+) of 22 questions/.exec((await status().textContent())!)!;
    expect(Number(kept)).toBeGreaterThanOrEqual(2);
    expect(Number(kept)).toBeLessThan(22);
    expect(await scoreboard().locator('li[data-question-id]').count()).toBe(Number(kept));
    expect((await scoreboard().textContent())?.replace(/\s+/g, ' ')).toContain(
      `cancelled after ${kept} of 22 questions`,
    );

    // The engine is free again: Ask answers.
    await page.getByLabel('Question', { exact: true }).fill('How long is parental leave?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect
      .poll(
        () =>
          page
            .getByRole('region', { name: 'Ungrounded answer', exact: true })
            .getByTestId('answer-state')
            .textContent(),
        { timeout: 120_000 },
      )
      .toBe('Done');

    await page.reload();
    const runs = panel().getByRole('list', { name: 'Kept runs' });
    await expect.poll(() => runs.getByRole('listitem').count(), { timeout: 30_000 }).toBe(1);
    expect(await runs.textContent()).toContain('cancelled');
    await runs.getByRole('button', { name: /^Show the run of/ }).click();
    await expect
      .poll(() => scoreboard().locator('li[data-question-id]').count())
      .toBe(Number(kept));
  });

  test('a question file with a bad line names the file and the line, and nothing runs', async () => {
    await open();
    await importQuestions(
      'broken.jsonl',
      '{"question": "How long is parental leave?", "facts": ["30 weeks"]}\n' +
        '{"question": "What is the mileage rate?", "facts": ["0.45"]}\n' +
        '{"question": "Unclosed\n',
    );
    const alert = panel().getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/broken\.jsonl/);
    expect(await alert.textContent()).toMatch(/line 3/);
    expect(await panel().getByRole('radio', { name: 'Imported questions' }).isDisabled()).toBe(
      true,
    );
    expect(await panel().getByRole('radio', { name: 'Sample questions' }).isChecked()).toBe(true);

    // A good file afterwards replaces the error and is chosen.
    await importQuestions('good.csv', 'question,facts\nHow long is parental leave?,30 weeks\n');
    await expect
      .poll(() => panel().getByRole('radio', { name: 'Imported questions' }).isChecked())
      .toBe(true);
    expect(await panel().getByRole('alert').count()).toBe(0);
  });
});

describe('generated questions', () => {
  test('the tiny model writes from sampled passages; what it wrote badly is listed with why', async () => {
    await open();
    await loadSamples();
    const generate = panel().getByRole('button', { name: 'Generate questions', exact: true });
    await panel().getByText('Generate questions from my documents').click();
    expect(await generate.isDisabled()).toBe(true);
    await loadModel();
    await panel().getByLabel('How many').fill('3');
    await generate.click();
    // stories260K tells stories, never "Question: …? / Answer: …": each passage gets a reason.
    const skipped = panel().getByText(/passages? gave no usable question/);
    await expect.poll(() => skipped.textContent(), { timeout: 120_000 }).toMatch(/^3 passages/);
    await skipped.click();
    const reasons = panel().locator('details li');
    expect(await reasons.count()).toBe(3);
    for (const reason of await reasons.allTextContents()) {
      expect(reason).toMatch(/^[\w-]+\.(md|txt): The (model|question|answer) /);
    }
    expect(await panel().getByRole('radio', { name: 'Generated questions' }).isDisabled()).toBe(
      true,
    );
  });

  test('generated questions are reviewed: edited, removed, exported, kept over a reload', async () => {
    const generated = {
      name: 'Generated questions',
      questions: [
        {
          id: 'gen-1',
          question: 'How many weeks of parental leave are there?',
          answer: '30 weeks',
          facts: [['30 weeks']],
          source: 'employee-handbook.md',
          kind: 'answerable',
          generated: true,
        },
        {
          id: 'gen-2',
          question: 'What does the passage say?',
          answer: 'things',
          facts: [['things']],
          source: 'customer-support-faq.txt',
          kind: 'answerable',
          generated: true,
        },
      ],
    };
    ({ page, errors } = await openPage(browser(), appUrl(), {
      beforeLoad: (p) =>
        p.addInitScript(
          (saved) => {
            if (!localStorage.getItem('grounded.evaluation'))
              localStorage.setItem('grounded.evaluation', saved);
          },
          JSON.stringify({ choice: 'generated', imported: null, generated }),
        ),
    }));
    expect(await panel().getByRole('radio', { name: 'Generated questions' }).isChecked()).toBe(
      true,
    );
    const review = panel().getByRole('list', { name: 'Generated questions' });
    expect(await review.getByRole('listitem').count()).toBe(2);
    expect(await review.textContent()).toContain('from employee-handbook.md');

    await review
      .getByRole('textbox', { name: 'Question 1' })
      .fill('How many weeks of parental leave do parents get?');
    await review.getByRole('textbox', { name: 'Facts 1' }).fill('30 weeks|thirty weeks; full pay');
    await review.getByRole('textbox', { name: 'Facts 1' }).blur();
    await review.getByRole('button', { name: 'Remove question 2' }).click();
    expect(await review.getByRole('listitem').count()).toBe(1);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel().getByRole('button', { name: 'Export questions as JSONL' }).click(),
    ]);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      {
        id: 'gen-1',
        question: 'How many weeks of parental leave do parents get?',
        answer: '30 weeks',
        facts: [['30 weeks', 'thirty weeks'], 'full pay'],
        source: 'employee-handbook.md',
        kind: 'answerable',
        generated: true,
      },
    ]);

    await page.reload();
    const again = panel().getByRole('list', { name: 'Generated questions' });
    await expect.poll(() => again.getByRole('listitem').count()).toBe(1);
    expect(await again.getByRole('textbox', { name: 'Question 1' }).inputValue()).toBe(
      'How many weeks of parental leave do parents get?',
    );
  });
});

describe('kept runs', () => {
  test('two runs compared: the settings that differ, the figures that moved, the documents changed', async () => {
    await open();
    // The same five questions, run again with dense retrieval on other documents: the leave
    // question's grounded answer lost its fact.
    const after: EvalRun = {
      ...RUN,
      id: 'run-2',
      startedAt: RUN.startedAt + 86_400_000,
      finishedAt: RUN.finishedAt! + 86_400_000,
      settings: { ...RUN.settings, retrieval: { ...RUN.settings.retrieval, mode: 'dense' } },
      results: RUN.results.map((r) =>
        r.questionId === 'leave'
          ? { ...r, grounded: { ...r.grounded, text: 'Employees get 12 weeks [1].' } }
          : r,
      ),
      knowledgeBase: { documents: 9, chunks: 101, fingerprint: '9-0000000000beef' },
    };
    for (const [name, run] of [
      ['before.json', RUN],
      ['after.json', after],
    ] as const) {
      await panel()
        .getByLabel('Import a run')
        .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(runToJson(run)) });
    }
    const runs = panel().getByRole('list', { name: 'Kept runs' }).getByRole('listitem');
    await expect.poll(() => runs.count()).toBe(2);
    // Newest first.
    expect(await runs.first().textContent()).toContain('dense');

    const options = await panel().getByLabel('Before').locator('option').allTextContents();
    await panel()
      .getByLabel('Before')
      .selectOption({ label: options.at(-1)! });
    await panel().getByLabel('After').selectOption({ label: options[1]! });
    await panel().getByRole('button', { name: 'Compare runs' }).click();

    const compare = panel().getByRole('region', { name: 'Compare runs' });
    await expect.poll(() => compare.isVisible()).toBe(true);
    const text = ((await compare.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(text).toContain('The documents differ between these runs');
    const rows = await compare
      .getByRole('row')
      .evaluateAll((items) =>
        items.map((row) =>
          [...(row as HTMLTableRowElement).cells].map((cell) => cell.textContent?.trim()),
        ),
      );
    expect(rows).toContainEqual(['Retrieval', 'Hybrid (dense + keyword)', 'Dense (embeddings)']);
    expect(rows).toContainEqual(['Grounded answers with every fact', '3', '2']);
    expect(rows).toContainEqual(['Grounded: mean time to first token (ms)', '400', '400']);
    const changed = compare.getByRole('list', { name: 'Questions whose scores changed' });
    expect(await changed.getByRole('listitem').count()).toBe(1);
    expect(await changed.textContent()).toContain('How many weeks of parental leave');
    expect(await changed.textContent()).toContain('Grounded: worse');
    expect(await changed.textContent()).toContain('Grounded lost: 30 weeks');

    // The older run, shown, says the documents changed since (the page holds none now).
    await runs
      .last()
      .getByRole('button', { name: /^Show the run of/ })
      .click();
    await expect
      .poll(() => scoreboard().textContent())
      .toContain('The documents changed since this run');
  });
});
