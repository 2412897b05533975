import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { DocumentRecord } from '../../core/kb/documents';
import { KnowledgeBase } from '../../storage/knowledge-base';
import { RpcClient, serve } from '../rpc';
import { COMPACT_MIN_BLOCKS } from '../../storage/vector-segments';
import { createSearchHandlers } from './handler';
import type { SearchMethods } from './protocol';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

/** A stored document whose chunks have the given texts and 2-dimensional vectors. */
async function store(kb: KnowledgeBase, id: string, name: string, chunks: [string, number[]][]) {
  const document: DocumentRecord = {
    id,
    name,
    size: 100,
    format: 'markdown',
    addedAt: Date.now(),
    chunkCount: chunks.length,
    charCount: 100,
    contentHash: `hash-${id}`,
    modelId: 'test/model',
    chunking: { targetTokens: 200, overlapTokens: 40 },
    warnings: [],
  };
  await kb.documents.add({
    document,
    text: chunks.map(([text]) => text).join('\n'),
    chunks: chunks.map(([text], ordinal) => ({
      docId: id,
      ordinal,
      start: 0,
      end: text.length,
      text,
      headingPath: [],
      tokens: 5,
    })),
    vectors: Float32Array.from(chunks.flatMap(([, v]) => v)),
    dimension: 2,
  });
}

async function setUp() {
  const kb = await KnowledgeBase.open('search');
  await store(kb, 'energy', 'energy.md', [
    ['Wind turbines turn moving air into power.', [1, 0]],
    ['Solar panels turn light into power.', [0, 1]],
  ]);
  await store(kb, 'leave', 'Employee handbook.md', [['Thirty days of paid leave.', [0.7, 0.7]]]);
  const channel = new MessageChannel();
  serve<SearchMethods>(channel.port2, createSearchHandlers({ openKnowledgeBase: async () => kb }));
  const search = new RpcClient<SearchMethods>(channel.port1);
  await search.call('open', {});
  return {
    kb,
    search,
    close() {
      search.dispose();
      channel.port1.close();
      channel.port2.close();
    },
  };
}

describe('search handler', () => {
  test('a request with only a vector is a dense search scored by cosine, as before', async () => {
    const w = await setUp();
    const result = await w.search.call('search', { vector: Float32Array.from([1, 0]), k: 2 });
    expect(result.mode).toBe('dense');
    expect(result.passages.map((p) => [p.docId, p.ordinal])).toEqual([
      ['energy', 0],
      ['leave', 0],
    ]);
    expect(result.passages[0]).toMatchObject({ rank: 1, denseRank: 1, fusedRank: 1 });
    expect(result.passages[0]!.score).toBeCloseTo(1, 6);
    expect(result.passages[0]).not.toHaveProperty('keywordRank');
    w.close();
  });

  test('hybrid (the default with text) fuses both and says why each passage came', async () => {
    const w = await setUp();
    const { passages, mode } = await w.search.call('search', {
      vector: Float32Array.from([1, 0]),
      text: 'solar power',
      k: 3,
    });
    expect(mode).toBe('hybrid');
    const solar = passages.find((p) => p.text.startsWith('Solar'))!;
    expect(solar).toMatchObject({ keywordRank: 1, denseRank: 3, matchedTerms: ['solar', 'power'] });
    // RRF: wind 1/61 + 1/62 (dense 1st, keyword 2nd), solar 1/63 + 1/61, leave 1/62.
    expect(passages.map((p) => p.text.split(' ')[0])).toEqual(['Wind', 'Solar', 'Thirty']);
    expect(solar.score).toBeCloseTo(1 / 63 + 1 / 61, 10);
    expect(passages.map((p) => p.rank)).toEqual([1, 2, 3]);
    w.close();
  });

  test('keyword mode needs no vector and finds document names', async () => {
    const w = await setUp();
    const { passages, mode } = await w.search.call('search', {
      text: 'employee handbook',
      mode: 'keyword',
      k: 5,
    });
    expect(mode).toBe('keyword');
    expect(passages).toHaveLength(1);
    expect(passages[0]).toMatchObject({
      docName: 'Employee handbook.md',
      matchedTerms: ['employe', 'handbook'],
      keywordRank: 1,
    });
    expect(passages[0]).not.toHaveProperty('denseRank');
    w.close();
  });

  test('the keyword index follows added and removed documents', async () => {
    const w = await setUp();
    const ask = () => w.search.call('search', { text: 'orchards bees', mode: 'keyword', k: 5 });
    expect((await ask()).passages).toEqual([]);
    await store(w.kb, 'bees', 'bees.txt', [['Orchards need bees.', [0, 1]]]);
    await w.search.call('add', { docId: 'bees' });
    expect((await ask()).passages.map((p) => p.docId)).toEqual(['bees']);
    await w.kb.documents.delete('bees');
    await w.search.call('remove', { docId: 'bees' });
    expect((await ask()).passages).toEqual([]);
    w.close();
  });
});

test('after opening, the worker compacts stored vectors; the next opening finds the same passages', async () => {
  const kb = await KnowledgeBase.open('compacting');
  for (let i = 0; i < COMPACT_MIN_BLOCKS; i++) {
    const angle = (i / COMPACT_MIN_BLOCKS) * Math.PI;
    await store(kb, `doc${i}`, `note ${i}.md`, [
      [`Note number ${i}.`, [Math.cos(angle), Math.sin(angle)]],
    ]);
  }
  const searchWith = async (compactAfterMs: number | null) => {
    const channel = new MessageChannel();
    serve<SearchMethods>(
      channel.port2,
      createSearchHandlers({ openKnowledgeBase: async () => kb, compactAfterMs }),
    );
    const client = new RpcClient<SearchMethods>(channel.port1);
    const opened = await client.call('open', {});
    const { passages } = await client.call('search', {
      vector: Float32Array.of(0.6, 0.8),
      k: 5,
      mode: 'dense',
    });
    channel.port1.close();
    return { opened, found: passages.map((p) => [p.docName, p.score]) };
  };
  const before = await searchWith(0);
  await expect.poll(() => kb.db.count('segments')).toBe(1);
  expect(await kb.db.count('vectors')).toBe(0);
  const after = await searchWith(null);
  expect(after.opened.vectors).toBe(COMPACT_MIN_BLOCKS);
  expect(after.found).toEqual(before.found);

  // A document deleted since: its rows stay in the segment, but no search finds them.
  const [nearest] = before.found[0] as [string, number];
  const gone = (await kb.documents.list()).find((d) => d.name === nearest)!;
  await kb.documents.delete(gone.id);
  const later = await searchWith(null);
  expect(later.opened.vectors).toBe(COMPACT_MIN_BLOCKS - 1);
  expect(later.found).toEqual(before.found.slice(1, 5).concat(later.found.slice(4)));
  expect(later.found.map(([name]) => name)).not.toContain(nearest);
  kb.close();
});

test('the keyword index is saved, and the next opening restores it instead of reading every chunk', async () => {
  const kb = await KnowledgeBase.open('keyword-snapshot');
  await store(kb, 'energy', 'energy.md', [['Wind turbines turn moving air into power.', [1, 0]]]);
  await store(kb, 'leave', 'handbook.md', [['Thirty days of paid leave.', [0, 1]]]);
  const searchWith = async (knowledgeBase: KnowledgeBase, compactAfterMs: number | null) => {
    const channel = new MessageChannel();
    serve<SearchMethods>(
      channel.port2,
      createSearchHandlers({ openKnowledgeBase: async () => knowledgeBase, compactAfterMs }),
    );
    const client = new RpcClient<SearchMethods>(channel.port1);
    await client.call('open', {});
    const { passages } = await client.call('search', { text: 'paid leave', k: 2, mode: 'keyword' });
    channel.port1.close();
    return passages.map((p) => [p.docName, p.text]);
  };
  const first = await searchWith(kb, 0);
  await expect.poll(() => kb.keywords.read()).toBeDefined();
  expect((await kb.keywords.read())!.docIds.sort()).toEqual(['energy', 'leave']);

  // Chunks are still read for the passages found, but not to build the index.
  const chunkReads = vi.spyOn(kb.documents, 'chunksOf');
  expect(await searchWith(kb, null)).toEqual(first);
  expect(chunkReads).not.toHaveBeenCalled();
  chunkReads.mockRestore();

  // A deleted document takes the snapshot with it: it would still find the document.
  await kb.documents.delete('leave');
  expect(await kb.keywords.read()).toBeUndefined();
  expect(await searchWith(kb, null)).toEqual([]);
  kb.close();
});
