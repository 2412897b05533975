import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { KnowledgeBase } from './knowledge-base';
import { makeDoc } from './test-documents';
import { COMPACT_MIN_BLOCKS } from './vector-segments';
import { DEAD_ROWS } from './vector-store';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('compaction', () => {
  const many = (n: number, rows = 3) =>
    Array.from({ length: n }, (_, i) => makeDoc(`d${String(i).padStart(2, '0')}`, rows));
  const rowsOf = async (kb: KnowledgeBase) => {
    const { rows, runs } = await kb.vectors.read();
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
    for (const d of docs) await kb.documents.add(d);
    const before = await kb.vectors.read();
    expect(before.compactable).toBe(true);
    expect(before.runs).toHaveLength(COMPACT_MIN_BLOCKS);
    expect(await kb.db.count('segments')).toBe(0);

    const result = await kb.vectors.compact();
    expect(result).toEqual({
      segmentsWritten: 1,
      segmentsRemoved: 0,
      blocksMoved: COMPACT_MIN_BLOCKS,
      rows: COMPACT_MIN_BLOCKS * 3,
    });
    const after = await kb.vectors.read();
    expect(await kb.db.count('vectors')).toBe(0);
    expect(after.compactable).toBe(false);
    expect(after.runs).toHaveLength(COMPACT_MIN_BLOCKS);
    for (const d of docs) {
      expect(Array.from(await kb.vectors.ofDocument(d.document.id, 4))).toEqual(
        Array.from(d.vectors),
      );
    }
    expect(await kb.vectors.compact()).toBeNull();
    kb.close();
  });

  test('deleted documents drop out at once; one stored again is never counted twice', async () => {
    const kb = await KnowledgeBase.open('compact-delete');
    const docs = many(COMPACT_MIN_BLOCKS);
    for (const d of docs) await kb.documents.add(d);
    await kb.vectors.compact();
    const expected = await rowsOf(kb);

    await kb.documents.delete('d00');
    expect([...(await rowsOf(kb)).keys()].some((k) => k.startsWith('d00:'))).toBe(false);

    // The same document (same id) imported again: its new blocks win over its old rows.
    const again = makeDoc('d00', 3);
    again.vectors.fill(0.5);
    await kb.documents.addAll([again], 'kb.grounded');
    const rows = await rowsOf(kb);
    expect(rows.size).toBe(expected.size);
    expect(rows.get('d00:0')).toEqual([0.5, 0.5, 0.5, 0.5]);

    // Deleting enough makes the segment mostly dead: compaction rewrites it, keeping the rest.
    for (const d of docs.slice(1, 12)) await kb.documents.delete(d.document.id);
    expect(await kb.vectors.compact()).toMatchObject({ segmentsRemoved: 1, segmentsWritten: 1 });
    const compacted = await rowsOf(kb);
    expect(compacted.size).toBe(expected.size - 11 * 3);
    expect(compacted.get('d00:0')).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(compacted.get('d20:1')).toEqual(expected.get('d20:1'));
    // Too few blocks to be worth moving: d00's stays a block.
    expect((await kb.db.getAllKeys('vectors')).map(([docId]) => docId)).toEqual(['d00']);

    // The last document gone: nothing is left behind.
    for (const d of await kb.documents.list()) await kb.documents.delete(d.id);
    expect(await kb.db.count('segments')).toBe(0);
    kb.close();
  });

  test('a document written meanwhile under the same key stops the compaction, not the data', async () => {
    const kb = await KnowledgeBase.open('compact-race');
    const docs = many(COMPACT_MIN_BLOCKS);
    for (const d of docs) await kb.documents.add(d);
    const replacement = makeDoc('d05', 3);
    replacement.vectors.fill(2);
    // Compaction reads, then encodes, then writes: the delete and add are queued in between.
    const compaction = kb.vectors.compact();
    await kb.documents.delete('d05');
    await kb.documents.add(replacement);
    expect(await compaction).toBeNull();
    expect(Array.from(await kb.vectors.ofDocument('d05', 4))).toEqual(
      Array.from(replacement.vectors),
    );
    expect(await kb.db.count('segments')).toBe(0);
    kb.close();
  });
});
