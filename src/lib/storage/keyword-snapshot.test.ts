import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { KeywordIndex } from '../core/retrieval/bm25';
import { KnowledgeBase } from './knowledge-base';
import { makeDoc } from './test-documents';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('KeywordSnapshot', () => {
  test('is saved only while every document it holds is stored, and goes with a deleted one', async () => {
    const kb = await KnowledgeBase.open('keywords');
    const a = makeDoc('a', 2);
    const b = makeDoc('b', 1);
    await kb.documents.add(a);
    await kb.documents.add(b);
    const index = new KeywordIndex();
    index.add('a', 'a', a.chunks);
    index.add('b', 'b', b.chunks);
    const snapshot = index.toSnapshot();
    expect(await kb.keywords.save(snapshot)).toBe(true);
    expect((await kb.keywords.read())?.docIds.sort()).toEqual(['a', 'b']);

    await kb.documents.delete('b');
    expect(await kb.keywords.read()).toBeUndefined();
    // Made before the delete (by another tab, say): saving it would bring “b” back.
    expect(await kb.keywords.save(snapshot)).toBe(false);
    expect(await kb.keywords.read()).toBeUndefined();
    kb.close();
  });
});
