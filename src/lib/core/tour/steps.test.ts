import { describe, expect, test } from 'vitest';
import {
  NOT_STARTED,
  SAMPLE_DOCUMENTS,
  TOUR_STEPS,
  goTo,
  leaveTour,
  observe,
  parseProgress,
  startTour,
  type StepId,
  type TourProgress,
  type TourSnapshot,
} from './steps';

/** A first visit: documents read, none stored, no model, nothing asked. */
const EMPTY: TourSnapshot = {
  ready: true,
  documents: [],
  adding: false,
  modelReady: false,
  answers: null,
  sourceShown: false,
  promptOpen: false,
  evaluationsFinished: 0,
  guideAnswered: false,
};

const SAMPLES = SAMPLE_DOCUMENTS.map((name, i) => ({ id: `doc-${i}`, name }));

const at = (id: StepId): TourProgress => ({
  active: true,
  step: TOUR_STEPS.findIndex((s) => s.id === id),
  done: [],
});
const doneAfter = (id: StepId, start: TourSnapshot, now: TourSnapshot) =>
  observe(at(id), start, now).done.includes(id);

describe('the steps', () => {
  test('follow the lessons in order, each with one explanation, one action and what to notice', () => {
    expect(TOUR_STEPS.map((s) => s.id)).toEqual([
      'samples',
      'model',
      'compare',
      'cite',
      'prompt',
      'edit',
      'ask-again',
      'control',
      'evaluate',
      'guide',
    ]);
    for (const step of TOUR_STEPS) {
      expect(step.explain.length).toBeGreaterThan(0);
      expect(step.action.length).toBeGreaterThan(0);
      expect(step.notice.length).toBeGreaterThan(0);
    }
  });

  test('the sample corpus is the manifest’s', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(
      await readFile(new URL('../../../../static/samples/manifest.json', import.meta.url), 'utf8'),
    ) as { documents: { file: string }[] };
    expect(SAMPLE_DOCUMENTS).toEqual(manifest.documents.map((d) => d.file));
  });

  test('loading the samples is done once all of them are stored and nothing is being added', () => {
    const some = { ...EMPTY, documents: SAMPLES.slice(0, 5), adding: true };
    expect(doneAfter('samples', EMPTY, some)).toBe(false);
    expect(doneAfter('samples', EMPTY, { ...some, documents: SAMPLES })).toBe(false);
    expect(doneAfter('samples', EMPTY, { ...EMPTY, documents: SAMPLES })).toBe(true);
  });

  test('a question step needs answers that finish during it, not ones from before', () => {
    const before = { ...EMPTY, answers: { run: 3, finished: true, declined: false } };
    // The answers shown when the step began do not count…
    expect(doneAfter('compare', before, before)).toBe(false);
    // …the next question's do, once both are done.
    const asking = { ...EMPTY, answers: { run: 4, finished: false, declined: false } };
    expect(doneAfter('compare', before, asking)).toBe(false);
    expect(
      doneAfter('compare', before, { ...asking, answers: { ...asking.answers, finished: true } }),
    ).toBe(true);
    // Answers still streaming when the step began count when they finish.
    expect(
      doneAfter('ask-again', asking, { ...asking, answers: { ...asking.answers, finished: true } }),
    ).toBe(true);
  });

  test('the control question says whether the grounded answer declined', () => {
    const control = TOUR_STEPS.find((s) => s.id === 'control')!;
    const answered = (declined: boolean) => ({
      ...EMPTY,
      answers: { run: 1, finished: true, declined },
    });
    expect(control.outcome!(answered(true))).toMatch(/said the passages do not answer it/);
    expect(control.outcome!(answered(false))).toMatch(/did not decline/);
    expect(control.outcome!(EMPTY)).toBeNull();
  });

  test('a source and the prompt are done while they are shown', () => {
    expect(doneAfter('cite', EMPTY, EMPTY)).toBe(false);
    expect(doneAfter('cite', EMPTY, { ...EMPTY, sourceShown: true })).toBe(true);
    expect(doneAfter('prompt', EMPTY, { ...EMPTY, sourceShown: true })).toBe(false);
    expect(doneAfter('prompt', EMPTY, { ...EMPTY, promptOpen: true })).toBe(true);
  });

  test('changing a fact is done when a document there at the start is replaced', () => {
    const start = { ...EMPTY, documents: SAMPLES };
    const edited = SAMPLES.map((d) =>
      d.name === 'employee-handbook.md' ? { ...d, id: 'new' } : d,
    );
    expect(doneAfter('edit', start, { ...EMPTY, documents: edited })).toBe(true);
    // A new document, or one deleted, is not a replacement.
    expect(
      doneAfter('edit', start, {
        ...EMPTY,
        documents: [...SAMPLES, { id: 'x', name: 'notes.md' }],
      }),
    ).toBe(false);
    expect(doneAfter('edit', start, { ...EMPTY, documents: SAMPLES.slice(1) })).toBe(false);
    // Nor is one added again after being deleted before the step.
    const without = { ...EMPTY, documents: SAMPLES.slice(1) };
    expect(
      doneAfter('edit', without, {
        ...EMPTY,
        documents: [{ ...SAMPLES[0]!, id: 'n' }, ...SAMPLES.slice(1)],
      }),
    ).toBe(false);
    // An edited PDF is stored as text under its name with ".txt" added.
    const pdf = { ...EMPTY, documents: [{ id: 'p', name: 'report.pdf' }] };
    expect(
      doneAfter('edit', pdf, { ...EMPTY, documents: [{ id: 'q', name: 'report.pdf.txt' }] }),
    ).toBe(true);
  });

  test('the evaluation is done when a run finishes during the step', () => {
    const once = { ...EMPTY, evaluationsFinished: 1 };
    expect(doneAfter('evaluate', once, once)).toBe(false);
    expect(doneAfter('evaluate', once, { ...EMPTY, evaluationsFinished: 2 })).toBe(true);
    expect(doneAfter('evaluate', EMPTY, once)).toBe(true);
  });

  test('the guide is done when it recommends', () => {
    expect(doneAfter('guide', EMPTY, EMPTY)).toBe(false);
    expect(doneAfter('guide', EMPTY, { ...EMPTY, guideAnswered: true })).toBe(true);
  });
});

describe('progress', () => {
  test('nothing is judged before the documents are read, nor when the tour is not going', () => {
    const loading = { ...EMPTY, ready: false, documents: [] };
    const model = at('model');
    expect(observe(model, loading, { ...loading, modelReady: true })).toBe(model);
    expect(observe(model, EMPTY, { ...EMPTY, modelReady: true }).done).toEqual(['model']);
    const left = leaveTour(model);
    expect(observe(left, EMPTY, { ...EMPTY, modelReady: true })).toBe(left);
  });

  test('a done step stays done; observing again changes nothing', () => {
    const done = observe(at('model'), EMPTY, { ...EMPTY, modelReady: true });
    expect(observe(done, EMPTY, { ...EMPTY, modelReady: true })).toBe(done);
    expect(observe(done, EMPTY, EMPTY)).toBe(done);
    expect(done.done).toEqual(['model']);
  });

  test('steps can be skipped and gone back to; done marks stay', () => {
    let progress = startTour();
    expect(progress).toEqual({ active: true, step: 0, done: [] });
    progress = observe(progress, EMPTY, { ...EMPTY, documents: SAMPLES });
    progress = goTo(progress, progress.step + 1);
    progress = goTo(progress, progress.step + 1);
    expect(TOUR_STEPS[progress.step]!.id).toBe('compare');
    progress = goTo(progress, progress.step - 1);
    expect(progress).toEqual({ active: true, step: 1, done: ['samples'] });
    expect(goTo(progress, -3).step).toBe(0);
    expect(goTo(progress, 99).step).toBe(TOUR_STEPS.length - 1);
    expect(goTo(progress, 1)).toBe(progress);
  });

  test('leaving keeps where it was; starting again begins at the first step', () => {
    const left = leaveTour({ active: true, step: 4, done: ['samples', 'model'] });
    expect(left).toEqual({ active: false, step: 4, done: ['samples', 'model'] });
    expect(startTour()).toEqual({ active: true, step: 0, done: [] });
  });

  test('read back from storage as written, or as not started when unreadable', () => {
    const saved: TourProgress = { active: true, step: 5, done: ['samples', 'cite'] };
    expect(parseProgress(JSON.parse(JSON.stringify(saved)))).toEqual(saved);
    expect(parseProgress({ active: true, step: 40, done: ['samples', 'nope', 3] })).toEqual({
      active: true,
      step: TOUR_STEPS.length - 1,
      done: ['samples'],
    });
    for (const bad of [null, 'x', 3, {}, { active: 'yes', step: 1, done: [] }]) {
      expect(parseProgress(bad)).toEqual(NOT_STARTED);
    }
  });
});
