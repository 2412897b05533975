import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { EmbeddingModelMismatchError } from './documents';
import { KnowledgeBase } from './knowledge-base';
import { StorageFullError } from './storage-full';
import { makeDoc } from './test-documents';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('pending files', () => {
  const pending = (owner: string, seq: number, name = `f${seq}.txt`) => ({
    owner,
    seq,
    name,
    size: 10,
    startedAt: 0,
  });

  test('a stored document takes its pending record with it; the rest stay until settled', async () => {
    const kb = await KnowledgeBase.open('pending');
    await kb.pending.add([pending('w1', 0), pending('w1', 1), pending('w1', 2), pending('w2', 0)]);
    await kb.documents.add(makeDoc('a', 1), { pending: ['w1', 0] });
    expect((await kb.db.getAllKeys('pending')).sort()).toEqual([
      ['w1', 1],
      ['w1', 2],
      ['w2', 0],
    ]);
    await kb.pending.delete('w1', 1, 2);
    expect(await kb.pending.owners()).toEqual(['w2']);
    expect(await kb.pending.take('w2')).toEqual([pending('w2', 0)]);
    expect(await kb.pending.owners()).toEqual([]);
    kb.close();
  });

  test('a full disk refuses the pending records as it would the first file', async () => {
    const kb = await KnowledgeBase.open('pending-full');
    const store = IDBObjectStore.prototype;
    const put = store.put;
    store.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    try {
      const error = await kb.pending.add([pending('w', 0, 'big.txt')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageFullError);
      expect((error as Error).message).toContain('“big.txt”');
    } finally {
      store.put = put;
    }
    expect(await kb.pending.owners()).toEqual([]);
    kb.close();
  });

  test('a document that is not stored leaves its pending record', async () => {
    const kb = await KnowledgeBase.open('pending-failed');
    await kb.documents.add(makeDoc('a', 1));
    await kb.pending.add([pending('w', 0)]);
    await expect(
      kb.documents.add(makeDoc('b', 1, 8, 'other/model'), { pending: ['w', 0] }),
    ).rejects.toBeInstanceOf(EmbeddingModelMismatchError);
    expect(await kb.pending.owners()).toEqual(['w']);
    kb.close();
  });
});
