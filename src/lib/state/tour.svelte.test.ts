import { describe, expect, test } from 'vitest';
import { SAMPLE_DOCUMENTS } from '../core/tour/steps';
import { Tour, type AppFacts } from './tour.svelte';

/** localStorage as the tour uses it. */
function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
  } as Storage;
}

const EMPTY: AppFacts = {
  ready: true,
  documents: [],
  adding: false,
  modelReady: false,
  answers: null,
  evaluationsFinished: 0,
  guideAnswered: false,
};
const SAMPLES = SAMPLE_DOCUMENTS.map((name, i) => ({ id: `doc-${i}`, name }));

/**
 * A tour over app facts the test changes. Effects do not run here (Svelte's server build), so
 * the test calls `check`, which the tour's effect calls in the browser.
 */
function tourOver(storage: Storage, url = 'https://grounded.test/') {
  const app = $state({ facts: EMPTY, question: '' });
  const tour = new Tour({
    storage,
    url: new URL(url),
    read: () => app.facts,
    setQuestion: (text) => (app.question = text),
  });
  return { app, tour };
}

describe('Tour', () => {
  test('a step is seen done when the app says so, and stays done', () => {
    const { app, tour } = tourOver(memoryStorage());
    tour.start();
    tour.check();
    expect(tour.step.id).toBe('samples');
    expect(tour.stepDone).toBe(false);
    app.facts = { ...EMPTY, documents: SAMPLES };
    tour.check();
    expect(tour.stepDone).toBe(true);
    app.facts = EMPTY;
    tour.check();
    expect(tour.stepDone).toBe(true);
  });

  test('a question step waits for answers asked during it', () => {
    const { app, tour } = tourOver(memoryStorage());
    tour.start();
    tour.next();
    tour.next();
    expect(tour.step.id).toBe('compare');
    app.facts = { ...EMPTY, answers: { run: 1, finished: true, declined: false } };
    tour.check();
    // Already there when the step began (its start is the first snapshot seen in it).
    expect(tour.stepDone).toBe(false);
    tour.useQuestion();
    expect(app.question).toBe('How many weeks of parental leave do employees get?');
    app.facts = { ...EMPTY, answers: { run: 2, finished: false, declined: false } };
    tour.check();
    expect(tour.stepDone).toBe(false);
    app.facts = { ...EMPTY, answers: { run: 2, finished: true, declined: false } };
    tour.check();
    expect(tour.stepDone).toBe(true);
  });

  test('nothing is judged before the documents are read', () => {
    const { app, tour } = tourOver(memoryStorage());
    app.facts = { ...EMPTY, ready: false };
    tour.start();
    tour.check();
    tour.next();
    expect(tour.step.id).toBe('model');
    app.facts = { ...EMPTY, ready: false, modelReady: true };
    tour.check();
    expect(tour.stepDone).toBe(false);
    app.facts = { ...EMPTY, modelReady: true };
    tour.check();
    expect(tour.stepDone).toBe(true);
  });

  test('a reload resumes at the step it was on, with its done marks', () => {
    const storage = memoryStorage();
    const first = tourOver(storage);
    first.tour.start();
    first.app.facts = { ...EMPTY, documents: SAMPLES };
    first.tour.check();
    first.tour.next();
    first.tour.next();

    const again = tourOver(storage);
    expect(again.tour.progress).toEqual({ active: true, step: 2, done: ['samples'] });
    expect(again.tour.step.id).toBe('compare');
    again.tour.back();
    again.tour.back();
    expect(again.tour.stepDone).toBe(true);
  });

  test('?tour=1 starts the tour, or resumes the one going; leaving and starting again begins anew', () => {
    const storage = memoryStorage();
    const linked = tourOver(storage, 'https://grounded.test/?tour=1');
    expect(linked.tour.progress).toEqual({ active: true, step: 0, done: [] });
    linked.tour.next();
    linked.tour.collapsed = true;

    const reloaded = tourOver(storage, 'https://grounded.test/?tour=1');
    expect(reloaded.tour.progress.step).toBe(1);
    expect(reloaded.tour.collapsed).toBe(false);
    reloaded.tour.leave();

    const later = tourOver(storage);
    expect(later.tour.progress.active).toBe(false);
    later.tour.start();
    expect(later.tour.progress).toEqual({ active: true, step: 0, done: [] });
  });
});
