import { describe, expect, it } from 'vitest';
import { runQuestions, type RunProgress, type RunSteps } from './run-questions';
import { scoreResults } from './scoring';
import type { EvalQuestion } from './questions';
import type { EvalPassage } from './run';
import { EXPENSES, FAQ, HANDBOOK, QUESTIONS, answer, passage } from './run-fixture';

/** A clock the fake steps move forward, so durations are exact. */
class Clock {
  ms = 1000;
  now = () => this.ms;
}

interface FakeOptions {
  clock: Clock;
  /** Milliseconds each step takes, per question id; 100 by default. */
  takes?: Record<string, Partial<Record<'retrieve' | 'grounded' | 'ungrounded', number>>>;
  /** Throws this from the named step of the named question. */
  fails?: Record<string, Partial<Record<'retrieve' | 'grounded' | 'ungrounded', Error>>>;
  passages?: (q: EvalQuestion) => EvalPassage[];
  promptPassages?: number;
}

/** Steps that log each call as "step:questionId" and answer as a model that read the passages. */
function fakeSteps(options: FakeOptions) {
  const calls: string[] = [];
  const { clock, takes = {}, fails = {} } = options;
  const act = (name: 'retrieve' | 'grounded' | 'ungrounded', q: EvalQuestion) => {
    calls.push(`${name}:${q.id}`);
    clock.ms += takes[q.id]?.[name] ?? 100;
    const error = fails[q.id]?.[name];
    if (error) throw error;
  };
  const steps: RunSteps = {
    retrieve: async (q) => {
      await Promise.resolve();
      act('retrieve', q);
      return options.passages?.(q) ?? [passage(q.source ?? FAQ)];
    },
    answerGrounded: async (q, passages) => {
      await Promise.resolve();
      act('grounded', q);
      return {
        answer: answer(`Grounded: ${q.answer ?? 'The documents do not say.'} [1]`),
        promptPassages: options.promptPassages ?? passages.length,
      };
    },
    answerUngrounded: async (q) => {
      await Promise.resolve();
      act('ungrounded', q);
      return answer(`Ungrounded guess for ${q.id}.`);
    },
  };
  return { steps, calls };
}

const ask = (id: string): EvalQuestion => QUESTIONS.find((q) => q.id === id)!;
const three = [ask('leave'), ask('meals'), ask('dental')];

describe('runQuestions', () => {
  it('asks each question in order: retrieval, grounded answer, ungrounded answer', async () => {
    const clock = new Clock();
    const { steps, calls } = fakeSteps({ clock });
    const outcome = await runQuestions(three, steps, {
      signal: new AbortController().signal,
      now: clock.now,
    });
    expect(calls).toEqual([
      'retrieve:leave',
      'grounded:leave',
      'ungrounded:leave',
      'retrieve:meals',
      'grounded:meals',
      'ungrounded:meals',
      'retrieve:dental',
      'grounded:dental',
      'ungrounded:dental',
    ]);
    expect(outcome.cancelled).toBe(false);
    expect(outcome.results.map((r) => r.questionId)).toEqual(['leave', 'meals', 'dental']);
    const [leave] = outcome.results;
    expect(leave!.passages.map((p) => p.docName)).toEqual([HANDBOOK]);
    expect(leave!.retrievalMs).toBe(100);
    expect(leave!.promptPassages).toBe(1);
    expect(leave!.grounded.text).toBe(
      'Grounded: 30 weeks at full basic pay, for every parent. [1]',
    );
    expect(leave!.ungrounded.text).toBe('Ungrounded guess for leave.');
  });

  it('reports progress after each question, with time left from the mean so far', async () => {
    const clock = new Clock();
    // leave takes 300 ms in all, meals 900 ms, dental 300 ms.
    const { steps } = fakeSteps({ clock, takes: { meals: { grounded: 700 } } });
    const progress: RunProgress[] = [];
    await runQuestions(three, steps, {
      signal: new AbortController().signal,
      now: clock.now,
      onProgress: (p) => progress.push(p),
    });
    expect(progress).toEqual([
      { done: 0, total: 3, etaMs: null },
      { done: 1, total: 3, etaMs: 600 }, // 300 ms a question, 2 left
      { done: 2, total: 3, etaMs: 600 }, // (300 + 900) / 2 = 600 ms, 1 left
      { done: 3, total: 3, etaMs: 0 },
    ]);
  });

  it('hands each result over as it finishes', async () => {
    const clock = new Clock();
    const { steps } = fakeSteps({ clock });
    const seen: string[] = [];
    const outcome = await runQuestions(three, steps, {
      signal: new AbortController().signal,
      now: clock.now,
      onResult: (r) => seen.push(r.questionId),
    });
    expect(seen).toEqual(outcome.results.map((r) => r.questionId));
  });

  it('records a failed answer on its question and goes on with the run', async () => {
    const clock = new Clock();
    const { steps, calls } = fakeSteps({
      clock,
      fails: { meals: { grounded: new Error('The model ran out of memory.') } },
      takes: { meals: { grounded: 250 } },
    });
    const outcome = await runQuestions(three, steps, {
      signal: new AbortController().signal,
      now: clock.now,
    });
    expect(outcome.cancelled).toBe(false);
    expect(outcome.results).toHaveLength(3);
    const meals = outcome.results[1]!;
    expect(meals.grounded).toEqual({
      text: '',
      end: 'failed',
      error: 'The model ran out of memory.',
      firstTokenMs: null,
      tokens: 0,
      tokensPerSecond: null,
      totalMs: 250,
    });
    expect(meals.promptPassages).toBe(0);
    expect(meals.ungrounded.end).toBe('done');
    expect(calls).toContain('ungrounded:meals');
    expect(calls.slice(-3)).toEqual(['retrieve:dental', 'grounded:dental', 'ungrounded:dental']);
  });

  it('on a retrieval failure, records why on the grounded answer, not asking it, and still asks the ungrounded one', async () => {
    const clock = new Clock();
    const { steps, calls } = fakeSteps({
      clock,
      fails: { leave: { retrieve: new Error('The embedding model is not loaded.') } },
    });
    const outcome = await runQuestions(three, steps, {
      signal: new AbortController().signal,
      now: clock.now,
    });
    const leave = outcome.results[0]!;
    expect(calls).not.toContain('grounded:leave');
    expect(calls).toContain('ungrounded:leave');
    expect(leave.passages).toEqual([]);
    expect(leave.grounded.end).toBe('failed');
    expect(leave.grounded.error).toBe(
      'Retrieval failed, so the grounded answer was not asked: The embedding model is not loaded.',
    );
    expect(leave.ungrounded.end).toBe('done');
    expect(outcome.results[1]!.grounded.end).toBe('done');
  });

  it('keeps an answer the step itself marked failed or cut short', async () => {
    const clock = new Clock();
    const { steps } = fakeSteps({ clock });
    const cut = answer('Employees get 30 weeks', { end: 'length' });
    const outcome = await runQuestions(
      [ask('leave')],
      { ...steps, answerUngrounded: async () => cut },
      {
        signal: new AbortController().signal,
        now: clock.now,
      },
    );
    expect(outcome.results[0]!.ungrounded).toEqual(cut);
  });

  it('never records more prompt passages than were retrieved', async () => {
    const clock = new Clock();
    const { steps } = fakeSteps({ clock, promptPassages: 5 });
    const outcome = await runQuestions([ask('leave')], steps, {
      signal: new AbortController().signal,
      now: clock.now,
    });
    expect(outcome.results[0]!.promptPassages).toBe(1);
  });

  it('on cancel mid-question, returns at once with the finished questions and calls no further step', async () => {
    const clock = new Clock();
    const controller = new AbortController();
    const { steps, calls } = fakeSteps({ clock });
    let release = () => {};
    // The grounded answer of the second question hangs and ignores the signal, as a stuck engine would.
    const outcomePromise = runQuestions(
      three,
      {
        ...steps,
        answerGrounded: (q, passages, signal) => {
          if (q.id !== 'meals') return steps.answerGrounded(q, passages, signal);
          calls.push('grounded:meals');
          return new Promise((resolve) => {
            release = () => resolve({ answer: answer('Late.'), promptPassages: 1 });
          });
        },
      },
      { signal: controller.signal, now: clock.now },
    );
    await waitUntil(() => calls.includes('grounded:meals'));
    controller.abort();
    const outcome = await outcomePromise;
    expect(outcome.cancelled).toBe(true);
    expect(outcome.results.map((r) => r.questionId)).toEqual(['leave']);
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toEqual([
      'retrieve:leave',
      'grounded:leave',
      'ungrounded:leave',
      'retrieve:meals',
      'grounded:meals',
    ]);
  });

  it('on cancel, ignores a step that rejects afterwards', async () => {
    const controller = new AbortController();
    const clock = new Clock();
    const { steps } = fakeSteps({ clock });
    let fail = () => {};
    const outcomePromise = runQuestions(
      [ask('leave')],
      {
        ...steps,
        retrieve: () =>
          new Promise((_, reject) => {
            fail = () => reject(new Error('Aborted by the caller.'));
          }),
      },
      { signal: controller.signal, now: clock.now },
    );
    await Promise.resolve();
    controller.abort();
    fail();
    await expect(outcomePromise).resolves.toEqual({ results: [], cancelled: true });
  });

  it('with an already-aborted signal, calls no step and reports nothing', async () => {
    const clock = new Clock();
    const { steps, calls } = fakeSteps({ clock });
    const progress: RunProgress[] = [];
    const outcome = await runQuestions(three, steps, {
      signal: AbortSignal.abort(),
      now: clock.now,
      onProgress: (p) => progress.push(p),
    });
    expect(outcome).toEqual({ results: [], cancelled: true });
    expect(calls).toEqual([]);
    expect(progress).toEqual([]);
  });

  it('finishes an empty set at once, not cancelled', async () => {
    const clock = new Clock();
    const { steps, calls } = fakeSteps({ clock });
    const outcome = await runQuestions([], steps, {
      signal: new AbortController().signal,
      now: clock.now,
    });
    expect(outcome).toEqual({ results: [], cancelled: false });
    expect(calls).toEqual([]);
  });

  it('produces results that scoring accepts, a cancelled run scoring the rest as not asked', async () => {
    const clock = new Clock();
    const controller = new AbortController();
    const { steps } = fakeSteps({
      clock,
      passages: (q) =>
        q.source ? [passage(q.source), passage(EXPENSES)] : [passage(HANDBOOK), passage(FAQ)],
    });
    const outcome = await runQuestions(QUESTIONS, steps, {
      signal: controller.signal,
      now: clock.now,
      onProgress: ({ done }) => {
        if (done === 3) controller.abort();
      },
    });
    expect(outcome.cancelled).toBe(true);
    const score = scoreResults(QUESTIONS, outcome.results, 2);
    expect(score.summary.questions).toBe(3);
    expect(score.notAsked).toEqual(['dental', 'p9']);
    // The fake grounded answer repeats the reference answer, which states every fact of "leave".
    expect(score.questions[0]!.grounded.correct).toBe(true);
    expect(score.summary.sourceHitAt1).toBe(3);
    expect(score.summary.groundedCitesSource).toBe(3);
    expect(score.summary.ungroundedCorrect).toBe(0);
  });
});

/** Lets the loop's promises run until `ready` holds (a fake step was reached). */
async function waitUntil(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ready(); i++) await Promise.resolve();
  expect(ready()).toBe(true);
}
