import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, expect, test } from 'vitest';
import type { ChunkRecord, DocumentRecord } from '../core/kb/documents';
import { decodeKbFile, encodeKbFile } from '../core/kb/kb-file';
import { readKnowledgeBase, storeKbFile } from './kb-transfer';
import { KnowledgeBase } from './knowledge-base';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

const DIM = 3;
const chunking = { targetTokens: 120, overlapTokens: 20 };

function makeDoc(id: string, text: string, cuts: [number, number][]) {
  const document: DocumentRecord = {
    id,
    name: `${id}.txt`,
    size: text.length,
    format: 'plain',
    addedAt: Date.now(),
    chunkCount: cuts.length,
    charCount: text.length,
    contentHash: id.padEnd(64, '0'),
    modelId: 'test/model',
    chunking,
    warnings: [],
  };
  const chunks: ChunkRecord[] = cuts.map(([start, end], ordinal) => ({
    docId: id,
    ordinal,
    start,
    end,
    text: text.slice(start, end),
    headingPath: [],
    tokens: 3,
  }));
  const vectors = Float32Array.from({ length: cuts.length * DIM }, (_, i) => Math.sin(i + 1));
  return { document, text, chunks, vectors, dimension: DIM };
}

async function everything(kb: KnowledgeBase) {
  const meta = await kb.documents.meta();
  const docs = await kb.documents.list();
  return {
    meta: meta && { modelId: meta.modelId, dimension: meta.dimension },
    docs: await Promise.all(
      docs.map(async (d) => ({
        d,
        text: await kb.documents.getText(d.id),
        chunks: await kb.documents.chunksOf(d.id),
        vectors: Array.from(await kb.vectors.ofDocument(d.id, DIM)),
      })),
    ),
  };
}

test('export, then import into an empty knowledge base: the same documents, chunks and vectors', async () => {
  const source = await KnowledgeBase.open('source');
  await source.documents.add(
    makeDoc('a', 'Alpha one. Alpha two.', [
      [0, 10],
      [11, 21],
    ]),
  );
  await source.documents.add(makeDoc('b', 'Beta.', [[0, 5]]));
  const progress: number[] = [];
  const contents = await readKnowledgeBase(source, {
    chunking,
    appVersion: '9.9.9',
    onProgress: (p) => progress.push(p.done),
  });
  expect(progress).toEqual([0, 1, 2]);
  const file = await decodeKbFile(await encodeKbFile(contents!), 'kb.grounded');

  const target = await KnowledgeBase.open('target');
  const { added, skipped } = await storeKbFile(target, file, 'kb.grounded');
  expect(added.map((d) => d.name)).toEqual(['a.txt', 'b.txt']);
  expect(skipped).toEqual([]);
  expect(await everything(target)).toEqual(await everything(source));

  // Importing the same file again adds nothing.
  const again = await storeKbFile(target, file, 'kb.grounded');
  expect(again.added).toEqual([]);
  expect(again.skipped.map((d) => d.name)).toEqual(['a.txt', 'b.txt']);
});

test('an empty knowledge base exports nothing', async () => {
  const kb = await KnowledgeBase.open('empty');
  expect(await readKnowledgeBase(kb, { chunking, appVersion: '1' })).toBeNull();
});
