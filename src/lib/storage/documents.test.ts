import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  AlreadyStoredError,
  DEAD_ROWS,
  EmbeddingModelMismatchError,
  KnowledgeBase,
  StorageFullError,
  toVectorBlocks,
} from './documents';
import { VECTOR_BLOCK_ROWS } from './schema';
import { makeDoc } from './test-documents';
import { COMPACT_MIN_BLOCKS } from './vector-segments';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('KnowledgeBase', () => {
  test('stores a document with its text, chunks and vector blocks, and lists it', async () => {
    const kb = await KnowledgeBase.open('add');
    const doc = makeDoc('a', 3);
    await kb.addDocument(doc);
    expect(await kb.listDocuments()).toEqual([doc.document]);
    expect(await kb.getText('a')).toBe(doc.text);
    expect(await kb.chunksOf('a')).toEqual(doc.chunks);
    expect(await kb.meta()).toMatchObject({ modelId: 'test/model', dimension: 4 });
    const blocks = await kb.vectorBlocksOf('a');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.vectors).toBeInstanceOf(Float32Array);
    expect(Array.from(blocks[0]!.vectors)).toEqual(Array.from(doc.vectors));
    expect(await kb.findByHash('hash-a')).toEqual(doc.document);
    kb.close();
  });

  test('splits large documents into contiguous blocks of at most VECTOR_BLOCK_ROWS rows', () => {
    const dim = 2;
    const rows = VECTOR_BLOCK_ROWS * 2 + 5;
    const vectors = Float32Array.from({ length: rows * dim }, (_, i) => i);
    const blocks = toVectorBlocks('big', vectors, dim);
    expect(blocks.map((b) => [b.block, b.firstOrdinal, b.count])).toEqual([
      [0, 0, VECTOR_BLOCK_ROWS],
      [1, VECTOR_BLOCK_ROWS, VECTOR_BLOCK_ROWS],
      [2, VECTOR_BLOCK_ROWS * 2, 5],
    ]);
    // Each block owns an exactly-sized buffer (a view would drag the whole array along).
    for (const b of blocks) expect(b.vectors.buffer.byteLength).toBe(b.count * dim * 4);
    expect(blocks[2]!.vectors[0]).toBe(VECTOR_BLOCK_ROWS * 2 * dim);
  });

  test('never mixes vectors of two models: the second model is refused and nothing is written', async () => {
    const kb = await KnowledgeBase.open('mismatch');
    await kb.addDocument(makeDoc('a', 2));
    const other = makeDoc('b', 2, 8, 'other/model');
    const error = await kb.addDocument(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingModelMismatchError);
    expect((error as Error).message).toContain('test/model');
    expect((error as Error).message).toContain('other/model');
    expect((await kb.listDocuments()).map((d) => d.id)).toEqual(['a']);
    expect(await kb.chunksOf('b')).toEqual([]);
    expect(await kb.vectorBlocksOf('b')).toEqual([]);
    expect(await kb.getText('b')).toBeUndefined();
    kb.close();
  });

  test('a document whose chunks and vectors disagree is refused whole', async () => {
    const kb = await KnowledgeBase.open('disagree');
    const doc = makeDoc('a', 3);
    await expect(kb.addDocument({ ...doc, vectors: new Float32Array(4) })).rejects.toThrow(
      '3 chunks but 1 vectors',
    );
    expect(await kb.listDocuments()).toEqual([]);
    expect(await kb.meta()).toBeUndefined();
    kb.close();
  });

  test('deleting a document removes its text, chunks and vectors and leaves the others intact', async () => {
    const kb = await KnowledgeBase.open('delete');
    const a = makeDoc('a', 3);
    const b = makeDoc('b', 2);
    await kb.addDocument(a);
    await kb.addDocument(b);
    expect(await kb.deleteDocument('a')).toBe(true);
    expect(await kb.deleteDocument('a')).toBe(false);
    expect((await kb.listDocuments()).map((d) => d.id)).toEqual(['b']);
    expect(await kb.chunksOf('a')).toEqual([]);
    expect(await kb.vectorBlocksOf('a')).toEqual([]);
    expect(await kb.getText('a')).toBeUndefined();
    expect(await kb.chunksOf('b')).toEqual(b.chunks);
    expect(Array.from((await kb.vectorBlocksOf('b'))[0]!.vectors)).toEqual(Array.from(b.vectors));
    kb.close();
  });

  test('deleting the last document frees the knowledge base for another model', async () => {
    const kb = await KnowledgeBase.open('free');
    await kb.addDocument(makeDoc('a', 1));
    await kb.deleteDocument('a');
    expect(await kb.meta()).toBeUndefined();
    await kb.addDocument(makeDoc('b', 1, 8, 'other/model'));
    expect(await kb.meta()).toMatchObject({ modelId: 'other/model', dimension: 8 });
    kb.close();
  });

  test('getChunks returns chunks in the order asked, undefined for missing ones', async () => {
    const kb = await KnowledgeBase.open('get');
    await kb.addDocument(makeDoc('a', 3));
    const chunks = await kb.getChunks([
      ['a', 2],
      ['gone', 0],
      ['a', 0],
    ]);
    expect(chunks.map((c) => c?.ordinal)).toEqual([2, undefined, 0]);
    kb.close();
  });

  test('replaceEmbeddings swaps every vector for another model’s in one step', async () => {
    const kb = await KnowledgeBase.open('replace');
    const a = makeDoc('a', 2);
    await kb.addDocument(a);
    const next = makeDoc('a', 3, 8, 'other/model');
    await kb.replaceEmbeddings('other/model', 8, [
      { document: next.document, chunks: next.chunks, vectors: next.vectors },
    ]);
    expect(await kb.meta()).toMatchObject({ modelId: 'other/model', dimension: 8 });
    expect((await kb.getDocument('a'))?.chunkCount).toBe(3);
    expect(await kb.chunksOf('a')).toHaveLength(3);
    expect((await kb.vectorBlocksOf('a'))[0]!.dimension).toBe(8);
    expect(await kb.getText('a')).toBe(a.text);
    kb.close();
  });

  test('clear deletes everything', async () => {
    const kb = await KnowledgeBase.open('clear');
    await kb.addDocument(makeDoc('a', 2));
    await kb.clear();
    expect(await kb.listDocuments()).toEqual([]);
    expect(await kb.allVectorBlocks()).toEqual([]);
    expect(await kb.meta()).toBeUndefined();
    kb.close();
  });
});

describe('adding safely', () => {
  test('a replacement deletes the old document in the transaction that stores the new one', async () => {
    const kb = await KnowledgeBase.open('replace-one');
    const old = makeDoc('old', 3);
    const other = makeDoc('other', 1);
    await kb.addDocument(old);
    await kb.addDocument(other);
    const next = makeDoc('new', 2);
    await kb.addDocument(next, { replaces: 'old' });
    expect((await kb.listDocuments()).map((d) => d.id).sort()).toEqual(['new', 'other']);
    expect(await kb.chunksOf('old')).toEqual([]);
    expect(await kb.vectorBlocksOf('old')).toEqual([]);
    expect(await kb.getText('old')).toBeUndefined();
    expect(await kb.chunksOf('new')).toEqual(next.chunks);
    expect(await kb.chunksOf('other')).toEqual(other.chunks);
    kb.close();
  });

  test('a replacement that fails leaves the old document whole', async () => {
    const kb = await KnowledgeBase.open('replace-fails');
    const old = makeDoc('old', 3);
    await kb.addDocument(old);
    const wrongModel = makeDoc('new', 2, 8, 'other/model');
    await expect(kb.addDocument(wrongModel, { replaces: 'old' })).rejects.toBeInstanceOf(
      EmbeddingModelMismatchError,
    );
    expect(await kb.listDocuments()).toEqual([old.document]);
    expect(await kb.chunksOf('old')).toEqual(old.chunks);
    expect(await kb.vectorBlocksOf('old')).toHaveLength(1);
    kb.close();
  });

  test('content stored meanwhile (by another tab) is refused inside the transaction', async () => {
    const kb = await KnowledgeBase.open('same-content');
    const first = makeDoc('first', 1);
    await kb.addDocument(first);
    const copy = makeDoc('copy', 1);
    copy.document.contentHash = first.document.contentHash;
    const error = await kb.addDocument(copy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyStoredError);
    expect((error as Error).message).toBe(
      '“copy.md” is already in the knowledge base as “first.md”.',
    );
    expect((await kb.listDocuments()).map((d) => d.id)).toEqual(['first']);
    kb.close();
  });

  test('a full disk rolls the document back and says so by name', async () => {
    const kb = await KnowledgeBase.open('quota');
    const kept = makeDoc('kept', 2);
    await kb.addDocument(kept);
    // What Chromium does on a full disk: the transaction aborts with a QuotaExceededError.
    const store = IDBObjectStore.prototype;
    const put = store.put;
    store.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'vectors') {
        this.transaction.abort();
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
    try {
      const error = await kb.addDocument(makeDoc('big', 4)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageFullError);
      expect((error as Error).message).toContain('no room left in this browser');
      expect((error as Error).message).toContain('“big.md”');
    } finally {
      store.put = put;
    }
    expect(await kb.listDocuments()).toEqual([kept.document]);
    expect(await kb.chunksOf('big')).toEqual([]);
    expect(await kb.getText('big')).toBeUndefined();
    kb.close();
  });
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
    await kb.addPending([pending('w1', 0), pending('w1', 1), pending('w1', 2), pending('w2', 0)]);
    await kb.addDocument(makeDoc('a', 1), { pending: ['w1', 0] });
    expect((await kb.db.getAllKeys('pending')).sort()).toEqual([
      ['w1', 1],
      ['w1', 2],
      ['w2', 0],
    ]);
    await kb.deletePending('w1', 1, 2);
    expect(await kb.pendingOwners()).toEqual(['w2']);
    expect(await kb.takePending('w2')).toEqual([pending('w2', 0)]);
    expect(await kb.pendingOwners()).toEqual([]);
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
      const error = await kb.addPending([pending('w', 0, 'big.txt')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageFullError);
      expect((error as Error).message).toContain('“big.txt”');
    } finally {
      store.put = put;
    }
    expect(await kb.pendingOwners()).toEqual([]);
    kb.close();
  });

  test('a document that is not stored leaves its pending record', async () => {
    const kb = await KnowledgeBase.open('pending-failed');
    await kb.addDocument(makeDoc('a', 1));
    await kb.addPending([pending('w', 0)]);
    await expect(
      kb.addDocument(makeDoc('b', 1, 8, 'other/model'), { pending: ['w', 0] }),
    ).rejects.toBeInstanceOf(EmbeddingModelMismatchError);
    expect(await kb.pendingOwners()).toEqual(['w']);
    kb.close();
  });

  test('addDocuments stores all or nothing, and skips documents already stored', async () => {
    const kb = await KnowledgeBase.open('import');
    await kb.addDocument(makeDoc('a', 3));
    const b = makeDoc('b', 1500);
    const { added, skipped } = await kb.addDocuments(
      [makeDoc('a', 3), b, makeDoc('c', 2)],
      'kb.grounded',
    );
    expect(added.map((d) => d.id)).toEqual(['b', 'c']);
    expect(skipped.map((d) => d.id)).toEqual(['a']);
    expect(await kb.vectorsOf('b', 4)).toEqual(b.vectors);
    expect((await kb.chunksOf('c')).length).toBe(2);

    await expect(
      kb.addDocuments([makeDoc('d', 1), makeDoc('e', 1, 8)], 'kb.grounded'),
    ).rejects.toBeInstanceOf(EmbeddingModelMismatchError);
    expect((await kb.listDocuments()).map((d) => d.id)).toEqual(['a', 'b', 'c']);
    kb.close();
  });

  describe('compaction', () => {
    const many = (n: number, rows = 3) =>
      Array.from({ length: n }, (_, i) => makeDoc(`d${String(i).padStart(2, '0')}`, rows));
    const rowsOf = async (kb: KnowledgeBase) => {
      const { rows, runs } = await kb.readVectors();
      const out = new Map<string, number[]>();
      let at = 0;
      for (const r of runs) {
        if (r.docId === DEAD_ROWS) {
          at += r.count;
          continue;
        }
        for (let i = 0; i < r.count; i++, at++) {
          const row = rows!.vectors.subarray(at * 4, (at + 1) * 4);
          out.set(`${r.docId}:${r.firstOrdinal + i}`, Array.from(row));
        }
      }
      return out;
    };

    test('moves blocks into segments without changing a single vector', async () => {
      const kb = await KnowledgeBase.open('compact');
      const docs = many(COMPACT_MIN_BLOCKS);
      for (const d of docs) await kb.addDocument(d);
      const before = await kb.readVectors();
      expect(before.compactable).toBe(true);
      expect(before.runs).toHaveLength(COMPACT_MIN_BLOCKS);
      expect(await kb.db.count('segments')).toBe(0);

      const result = await kb.compactVectors();
      expect(result).toEqual({
        segmentsWritten: 1,
        segmentsRemoved: 0,
        blocksMoved: COMPACT_MIN_BLOCKS,
        rows: COMPACT_MIN_BLOCKS * 3,
      });
      const after = await kb.readVectors();
      expect(await kb.db.count('vectors')).toBe(0);
      expect(after.compactable).toBe(false);
      expect(after.runs).toHaveLength(COMPACT_MIN_BLOCKS);
      for (const d of docs) {
        expect(Array.from(await kb.vectorsOf(d.document.id, 4))).toEqual(Array.from(d.vectors));
      }
      expect(await kb.compactVectors()).toBeNull();
      kb.close();
    });

    test('deleted documents drop out at once; one stored again is never counted twice', async () => {
      const kb = await KnowledgeBase.open('compact-delete');
      const docs = many(COMPACT_MIN_BLOCKS);
      for (const d of docs) await kb.addDocument(d);
      await kb.compactVectors();
      const expected = await rowsOf(kb);

      await kb.deleteDocument('d00');
      expect([...(await rowsOf(kb)).keys()].some((k) => k.startsWith('d00:'))).toBe(false);

      // The same document (same id) imported again: its new blocks win over its old rows.
      const again = makeDoc('d00', 3);
      again.vectors.fill(0.5);
      await kb.addDocuments([again], 'kb.grounded');
      const rows = await rowsOf(kb);
      expect(rows.size).toBe(expected.size);
      expect(rows.get('d00:0')).toEqual([0.5, 0.5, 0.5, 0.5]);

      // Deleting enough makes the segment mostly dead: compaction rewrites it, keeping the rest.
      for (const d of docs.slice(1, 12)) await kb.deleteDocument(d.document.id);
      expect(await kb.compactVectors()).toMatchObject({ segmentsRemoved: 1, segmentsWritten: 1 });
      const compacted = await rowsOf(kb);
      expect(compacted.size).toBe(expected.size - 11 * 3);
      expect(compacted.get('d00:0')).toEqual([0.5, 0.5, 0.5, 0.5]);
      expect(compacted.get('d20:1')).toEqual(expected.get('d20:1'));
      // Too few blocks to be worth moving: d00's stays a block.
      expect((await kb.db.getAllKeys('vectors')).map(([docId]) => docId)).toEqual(['d00']);

      // The last document gone: nothing is left behind.
      for (const d of await kb.listDocuments()) await kb.deleteDocument(d.id);
      expect(await kb.db.count('segments')).toBe(0);
      kb.close();
    });

    test('a document written meanwhile under the same key stops the compaction, not the data', async () => {
      const kb = await KnowledgeBase.open('compact-race');
      const docs = many(COMPACT_MIN_BLOCKS);
      for (const d of docs) await kb.addDocument(d);
      const replacement = makeDoc('d05', 3);
      replacement.vectors.fill(2);
      // Compaction reads, then encodes, then writes: the delete and add are queued in between.
      const compaction = kb.compactVectors();
      await kb.deleteDocument('d05');
      await kb.addDocument(replacement);
      expect(await compaction).toBeNull();
      expect(Array.from(await kb.vectorsOf('d05', 4))).toEqual(Array.from(replacement.vectors));
      expect(await kb.db.count('segments')).toBe(0);
      kb.close();
    });
  });
});
