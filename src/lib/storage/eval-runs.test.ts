import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { RUN, RESULTS } from '../core/eval/run-fixture';
import type { EvalRun } from '../core/eval/run';
import { SCORING_METHOD, scoreRun } from '../core/eval/scoring';
import { knowledgeBaseChanged } from '../core/eval/run';
import { RunStorageFullError } from './eval-runs';
import { KnowledgeBase } from './knowledge-base';
import { StorageFullError } from './storage-full';
import { makeDoc } from './test-documents';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

/** A second run, an hour after RUN, cancelled after its first two questions. */
const CANCELLED: EvalRun = {
  ...RUN,
  id: 'run-2',
  startedAt: RUN.startedAt + 3_600_000,
  finishedAt: RUN.startedAt + 3_660_000,
  cancelled: true,
  results: RESULTS.slice(0, 2),
};

/** The object stores read by `action`, however idb reaches them. */
async function storesRead(action: () => Promise<unknown>): Promise<string[]> {
  const proto = IDBObjectStore.prototype;
  const originals = { get: proto.get, getAll: proto.getAll, openCursor: proto.openCursor };
  const read = new Set<string>();
  for (const [name, original] of Object.entries(originals)) {
    (proto as unknown as Record<string, unknown>)[name] = function (
      this: IDBObjectStore,
      ...args: unknown[]
    ) {
      read.add(this.name);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  try {
    await action();
  } finally {
    Object.assign(proto, originals);
  }
  return [...read].sort();
}

describe('EvalRuns', () => {
  test('a saved run is listed with its headline scores and comes back whole', async () => {
    const kb = await KnowledgeBase.open('round-trip');
    const saved = await kb.evalRuns.save(RUN);
    expect(saved).toMatchObject({
      id: 'run-1',
      name: 'Sample questions',
      startedAt: RUN.startedAt,
      finishedAt: RUN.finishedAt,
      status: 'finished',
      questionCount: RUN.questionSet.questions.length,
      settings: RUN.settings,
      knowledgeBase: RUN.knowledgeBase,
    });
    expect(saved.scores).toEqual(scoreRun(RUN).summary);
    expect(await kb.evalRuns.list()).toEqual([saved]);
    expect(await kb.evalRuns.get('run-1')).toEqual(RUN);
    kb.close();
  });

  test('a cancelled run keeps the questions that finished, and runs list newest first', async () => {
    const kb = await KnowledgeBase.open('cancelled');
    await kb.evalRuns.save(RUN);
    await kb.evalRuns.save(CANCELLED);
    const [newest, oldest] = await kb.evalRuns.list();
    expect(newest).toMatchObject({ id: 'run-2', status: 'cancelled', questionCount: 5 });
    expect(newest!.scores.questions).toBe(2);
    expect(oldest).toMatchObject({ id: 'run-1', status: 'finished' });
    expect(oldest!.scores.questions).toBe(5);
    expect((await kb.evalRuns.get('run-2'))!.results).toEqual(RESULTS.slice(0, 2));
    kb.close();
  });

  test('a run still in progress is refused and nothing is kept', async () => {
    const kb = await KnowledgeBase.open('running');
    const running: EvalRun = { ...RUN, finishedAt: undefined };
    delete running.finishedAt;
    await expect(kb.evalRuns.save(running)).rejects.toThrow(
      'Evaluation run run-1 is still running: keep it once it has finished or been cancelled.',
    );
    expect(await kb.evalRuns.list()).toEqual([]);
    kb.close();
  });

  test('a run whose results name a question it does not hold is refused', async () => {
    const kb = await KnowledgeBase.open('broken');
    const broken: EvalRun = { ...RUN, results: [{ ...RESULTS[0]!, questionId: 'nowhere' }] };
    await expect(kb.evalRuns.save(broken)).rejects.toThrow('nowhere');
    expect(await kb.evalRuns.get('run-1')).toBeUndefined();
    kb.close();
  });

  test('listing reads only the summaries, never the runs with their passages and answers', async () => {
    const kb = await KnowledgeBase.open('light');
    await kb.evalRuns.save(RUN);
    await kb.evalRuns.save(CANCELLED);
    let listed: unknown;
    expect(await storesRead(async () => (listed = await kb.evalRuns.list()))).toEqual([
      'evalRunSummaries',
    ]);
    expect(listed).toHaveLength(2);
    expect(await storesRead(() => kb.evalRuns.get('run-1'))).toEqual(['evalRuns']);
    kb.close();
  });

  test('a summary scored by an older scorer is rescored from its run and stored again', async () => {
    const kb = await KnowledgeBase.open('rescore');
    const saved = await kb.evalRuns.save(RUN);
    const stale = {
      ...saved,
      scoredWith: 'an older scorer',
      scores: { ...saved.scores, groundedCorrect: 0 },
    };
    await kb.db.put('evalRunSummaries', stale);
    expect(await kb.evalRuns.list()).toEqual([saved]);
    expect(await kb.db.get('evalRunSummaries', 'run-1')).toMatchObject({
      scoredWith: SCORING_METHOD,
      scores: saved.scores,
    });
    kb.close();
  });

  test('delete forgets one run and says whether it was kept', async () => {
    const kb = await KnowledgeBase.open('delete');
    await kb.evalRuns.save(RUN);
    await kb.evalRuns.save(CANCELLED);
    expect(await kb.evalRuns.delete('run-1')).toBe(true);
    expect(await kb.evalRuns.delete('run-1')).toBe(false);
    expect((await kb.evalRuns.list()).map((s) => s.id)).toEqual(['run-2']);
    expect(await kb.evalRuns.get('run-1')).toBeUndefined();
    await kb.evalRuns.clear();
    expect(await kb.evalRuns.list()).toEqual([]);
    expect(await kb.evalRuns.get('run-2')).toBeUndefined();
    kb.close();
  });

  test('runs survive closing and reopening the database (a reload)', async () => {
    const before = await KnowledgeBase.open('reload');
    const saved = await before.evalRuns.save(RUN);
    before.close();
    const after = await KnowledgeBase.open('reload');
    expect(await after.evalRuns.list()).toEqual([saved]);
    expect(await after.evalRuns.get('run-1')).toEqual(RUN);
    after.close();
  });

  test('Delete everything (Documents.clear) deletes the runs with the documents', async () => {
    const kb = await KnowledgeBase.open('delete-everything');
    await kb.documents.add(makeDoc('a', 2));
    await kb.evalRuns.save(RUN);
    await kb.documents.clear();
    expect(await kb.documents.list()).toEqual([]);
    expect(await kb.evalRuns.list()).toEqual([]);
    expect(await kb.evalRuns.get('run-1')).toBeUndefined();
    kb.close();
  });

  test('deleting one document keeps the runs, which then say the knowledge base changed', async () => {
    const kb = await KnowledgeBase.open('changed');
    await kb.documents.add(makeDoc('a', 2));
    await kb.documents.add(makeDoc('bb', 3));
    const stamp = await kb.evalRuns.currentKnowledgeBase();
    expect(stamp).toMatchObject({ documents: 2, chunks: 5 });
    await kb.evalRuns.save({ ...RUN, knowledgeBase: stamp });
    const [kept] = await kb.evalRuns.list();
    expect(
      knowledgeBaseChanged(kept!.knowledgeBase, await kb.evalRuns.currentKnowledgeBase()),
    ).toBe(false);
    await kb.documents.delete('a');
    expect(kept!.knowledgeBase).toEqual((await kb.evalRuns.list())[0]!.knowledgeBase);
    const now = await kb.evalRuns.currentKnowledgeBase();
    expect(now).toMatchObject({ documents: 1, chunks: 3 });
    expect(knowledgeBaseChanged(kept!.knowledgeBase, now)).toBe(true);
    kb.close();
  });

  test('a full disk refuses the run whole and says which run and what to do', async () => {
    const kb = await KnowledgeBase.open('quota');
    await kb.evalRuns.save(RUN);
    // What Chromium does on a full disk: the transaction aborts with a QuotaExceededError.
    const store = IDBObjectStore.prototype;
    const put = store.put;
    store.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'evalRunSummaries') {
        this.transaction.abort();
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
    const run: EvalRun = { ...CANCELLED, questionSet: { ...RUN.questionSet, name: 'HR set' } };
    try {
      const error = await kb.evalRuns.save(run).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunStorageFullError);
      expect(error).toBeInstanceOf(StorageFullError);
      const message = (error as Error).message;
      expect(message).toContain("no room left in this browser's storage");
      expect(message).toContain('evaluation run “HR set” of');
      expect(message).toContain('Export it as JSON');
    } finally {
      store.put = put;
    }
    expect((await kb.evalRuns.list()).map((s) => s.id)).toEqual(['run-1']);
    expect(await kb.evalRuns.get('run-2')).toBeUndefined();
    kb.close();
  });
});
