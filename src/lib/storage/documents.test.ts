import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { AlreadyStoredError, EmbeddingModelMismatchError } from './documents';
import { KnowledgeBase } from './knowledge-base';
import { StorageFullError } from './storage-full';
import { makeDoc } from './test-documents';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('Documents', () => {
  test('stores a document with its text, chunks and vector blocks, and lists it', async () => {
    const kb = await KnowledgeBase.open('add');
    const doc = makeDoc('a', 3);
    await kb.documents.add(doc);
    expect(await kb.documents.list()).toEqual([doc.document]);
    expect(await kb.documents.getText('a')).toBe(doc.text);
    expect(await kb.documents.chunksOf('a')).toEqual(doc.chunks);
    expect(await kb.documents.meta()).toMatchObject({ modelId: 'test/model', dimension: 4 });
    const blocks = await kb.vectors.blocksOf('a');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.vectors).toBeInstanceOf(Float32Array);
    expect(Array.from(blocks[0]!.vectors)).toEqual(Array.from(doc.vectors));
    expect(await kb.documents.findByHash('hash-a')).toEqual(doc.document);
    kb.close();
  });

  test('never mixes vectors of two models: the second model is refused and nothing is written', async () => {
    const kb = await KnowledgeBase.open('mismatch');
    await kb.documents.add(makeDoc('a', 2));
    const other = makeDoc('b', 2, 8, 'other/model');
    const error = await kb.documents.add(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingModelMismatchError);
    expect((error as Error).message).toContain('test/model');
    expect((error as Error).message).toContain('other/model');
    expect((await kb.documents.list()).map((d) => d.id)).toEqual(['a']);
    expect(await kb.documents.chunksOf('b')).toEqual([]);
    expect(await kb.vectors.blocksOf('b')).toEqual([]);
    expect(await kb.documents.getText('b')).toBeUndefined();
    kb.close();
  });

  test('a document whose chunks and vectors disagree is refused whole', async () => {
    const kb = await KnowledgeBase.open('disagree');
    const doc = makeDoc('a', 3);
    await expect(kb.documents.add({ ...doc, vectors: new Float32Array(4) })).rejects.toThrow(
      '3 chunks but 1 vectors',
    );
    expect(await kb.documents.list()).toEqual([]);
    expect(await kb.documents.meta()).toBeUndefined();
    kb.close();
  });

  test('deleting a document removes its text, chunks and vectors and leaves the others intact', async () => {
    const kb = await KnowledgeBase.open('delete');
    const a = makeDoc('a', 3);
    const b = makeDoc('b', 2);
    await kb.documents.add(a);
    await kb.documents.add(b);
    expect(await kb.documents.delete('a')).toBe(true);
    expect(await kb.documents.delete('a')).toBe(false);
    expect((await kb.documents.list()).map((d) => d.id)).toEqual(['b']);
    expect(await kb.documents.chunksOf('a')).toEqual([]);
    expect(await kb.vectors.blocksOf('a')).toEqual([]);
    expect(await kb.documents.getText('a')).toBeUndefined();
    expect(await kb.documents.chunksOf('b')).toEqual(b.chunks);
    expect(Array.from((await kb.vectors.blocksOf('b'))[0]!.vectors)).toEqual(Array.from(b.vectors));
    kb.close();
  });

  test('deleting the last document frees the knowledge base for another model', async () => {
    const kb = await KnowledgeBase.open('free');
    await kb.documents.add(makeDoc('a', 1));
    await kb.documents.delete('a');
    expect(await kb.documents.meta()).toBeUndefined();
    await kb.documents.add(makeDoc('b', 1, 8, 'other/model'));
    expect(await kb.documents.meta()).toMatchObject({ modelId: 'other/model', dimension: 8 });
    kb.close();
  });

  test('getChunks returns chunks in the order asked, undefined for missing ones', async () => {
    const kb = await KnowledgeBase.open('get');
    await kb.documents.add(makeDoc('a', 3));
    const chunks = await kb.documents.getChunks([
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
    await kb.documents.add(a);
    const next = makeDoc('a', 3, 8, 'other/model');
    await kb.documents.replaceEmbeddings('other/model', 8, [
      { document: next.document, chunks: next.chunks, vectors: next.vectors },
    ]);
    expect(await kb.documents.meta()).toMatchObject({ modelId: 'other/model', dimension: 8 });
    expect((await kb.documents.get('a'))?.chunkCount).toBe(3);
    expect(await kb.documents.chunksOf('a')).toHaveLength(3);
    expect((await kb.vectors.blocksOf('a'))[0]!.dimension).toBe(8);
    expect(await kb.documents.getText('a')).toBe(a.text);
    kb.close();
  });

  test('clear deletes everything', async () => {
    const kb = await KnowledgeBase.open('clear');
    await kb.documents.add(makeDoc('a', 2));
    await kb.documents.clear();
    expect(await kb.documents.list()).toEqual([]);
    expect(await kb.vectors.allBlocks()).toEqual([]);
    expect(await kb.documents.meta()).toBeUndefined();
    kb.close();
  });
});

describe('adding safely', () => {
  test('a replacement deletes the old document in the transaction that stores the new one', async () => {
    const kb = await KnowledgeBase.open('replace-one');
    const old = makeDoc('old', 3);
    const other = makeDoc('other', 1);
    await kb.documents.add(old);
    await kb.documents.add(other);
    const next = makeDoc('new', 2);
    await kb.documents.add(next, { replaces: 'old' });
    expect((await kb.documents.list()).map((d) => d.id).sort()).toEqual(['new', 'other']);
    expect(await kb.documents.chunksOf('old')).toEqual([]);
    expect(await kb.vectors.blocksOf('old')).toEqual([]);
    expect(await kb.documents.getText('old')).toBeUndefined();
    expect(await kb.documents.chunksOf('new')).toEqual(next.chunks);
    expect(await kb.documents.chunksOf('other')).toEqual(other.chunks);
    kb.close();
  });

  test('a replacement that fails leaves the old document whole', async () => {
    const kb = await KnowledgeBase.open('replace-fails');
    const old = makeDoc('old', 3);
    await kb.documents.add(old);
    const wrongModel = makeDoc('new', 2, 8, 'other/model');
    await expect(kb.documents.add(wrongModel, { replaces: 'old' })).rejects.toBeInstanceOf(
      EmbeddingModelMismatchError,
    );
    expect(await kb.documents.list()).toEqual([old.document]);
    expect(await kb.documents.chunksOf('old')).toEqual(old.chunks);
    expect(await kb.vectors.blocksOf('old')).toHaveLength(1);
    kb.close();
  });

  test('content stored meanwhile (by another tab) is refused inside the transaction', async () => {
    const kb = await KnowledgeBase.open('same-content');
    const first = makeDoc('first', 1);
    await kb.documents.add(first);
    const copy = makeDoc('copy', 1);
    copy.document.contentHash = first.document.contentHash;
    const error = await kb.documents.add(copy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyStoredError);
    expect((error as Error).message).toBe(
      '“copy.md” is already in the knowledge base as “first.md”.',
    );
    expect((await kb.documents.list()).map((d) => d.id)).toEqual(['first']);
    kb.close();
  });

  test('a full disk rolls the document back and says so by name', async () => {
    const kb = await KnowledgeBase.open('quota');
    const kept = makeDoc('kept', 2);
    await kb.documents.add(kept);
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
      const error = await kb.documents.add(makeDoc('big', 4)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageFullError);
      expect((error as Error).message).toContain('no room left in this browser');
      expect((error as Error).message).toContain('“big.md”');
    } finally {
      store.put = put;
    }
    expect(await kb.documents.list()).toEqual([kept.document]);
    expect(await kb.documents.chunksOf('big')).toEqual([]);
    expect(await kb.documents.getText('big')).toBeUndefined();
    kb.close();
  });

  test('addAll stores all or nothing, and skips documents already stored', async () => {
    const kb = await KnowledgeBase.open('import');
    await kb.documents.add(makeDoc('a', 3));
    const b = makeDoc('b', 1500);
    const { added, skipped } = await kb.documents.addAll(
      [makeDoc('a', 3), b, makeDoc('c', 2)],
      'kb.grounded',
    );
    expect(added.map((d) => d.id)).toEqual(['b', 'c']);
    expect(skipped.map((d) => d.id)).toEqual(['a']);
    expect(await kb.vectors.ofDocument('b', 4)).toEqual(b.vectors);
    expect((await kb.documents.chunksOf('c')).length).toBe(2);

    await expect(
      kb.documents.addAll([makeDoc('d', 1), makeDoc('e', 1, 8)], 'kb.grounded'),
    ).rejects.toBeInstanceOf(EmbeddingModelMismatchError);
    expect((await kb.documents.list()).map((d) => d.id)).toEqual(['a', 'b', 'c']);
    kb.close();
  });
});
