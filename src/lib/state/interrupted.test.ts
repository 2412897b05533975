import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { KnowledgeBase } from '../storage/knowledge-base';
import type { PendingRecord } from '../storage/schema';
import { interruptedMessage, watchInterrupted } from './interrupted';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

const record = (name: string, extra: Partial<PendingRecord> = {}): PendingRecord => ({
  owner: 'w',
  seq: 0,
  name,
  size: 1,
  startedAt: 0,
  ...extra,
});

describe('interruptedMessage', () => {
  test('one file', () => {
    expect(interruptedMessage([record('big.txt')])).toBe(
      '“big.txt” was being added when the page closed, so it was not added; add it again.',
    );
  });

  test('several files, and many', () => {
    expect(interruptedMessage(['a.txt', 'b.txt'].map((n) => record(n)))).toBe(
      '2 files were being added when the page closed and were not added (“a.txt” and “b.txt”); add them again.',
    );
    expect(interruptedMessage(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => record(n)))).toBe(
      '6 files were being added when the page closed and were not added (“a”, “b”, “c” and 3 more); add them again.',
    );
  });

  test('a replacement keeps the earlier version, and says so', () => {
    expect(interruptedMessage([record('notes.txt', { replaces: 'doc-1' })])).toBe(
      '“notes.txt” was being replaced when the page closed: the earlier version is still there. ' +
        'Add the new one again to replace it.',
    );
  });
});

describe('watchInterrupted', () => {
  test('reports what a worker that is gone left pending, once, and removes it', async () => {
    const kb = await KnowledgeBase.open('interrupted');
    await kb.pending.add([
      record('big.txt', { owner: 'gone', seq: 4 }),
      record('small.txt', { owner: 'gone', seq: 5 }),
    ]);
    const reports: string[][] = [];
    // Node has no Web Locks: every owner counts as gone.
    await watchInterrupted(kb.pending, (records) => reports.push(records.map((r) => r.name)));
    await expect.poll(() => reports).toEqual([['big.txt', 'small.txt']]);
    expect(await kb.pending.owners()).toEqual([]);
    await watchInterrupted(kb.pending, (records) => reports.push(records.map((r) => r.name)));
    expect(reports).toHaveLength(1);
    kb.close();
  });
});
