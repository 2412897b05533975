/**
 * The Chromium retrieval benchmarks, run in a dedicated worker as the app's search runs in its
 * search worker. The page starts one worker per request, so every measurement begins with an
 * empty heap and nothing left running from the one before.
 */
import { openDB, type DBSchema } from 'idb';
import { KeywordIndex } from '../../src/lib/core/retrieval/bm25';
import { DEFAULT_CHUNKING } from '../../src/lib/core/text/chunking';
import type { ChunkRecord, DocumentRecord } from '../../src/lib/core/kb/documents';
import { VectorIndex } from '../../src/lib/core/retrieval/vector-index';
import { KnowledgeBase } from '../../src/lib/storage/knowledge-base';
import { VECTOR_BLOCK_ROWS } from '../../src/lib/storage/schema';
import { Transfer, serve, type Endpoint, type HandlerContext } from '../../src/lib/workers/rpc';
import { createSearchHandlers } from '../../src/lib/workers/search/handler';
import {
  gaussian,
  keywordCorpus,
  queryVectors,
  seeded,
  unitVectors,
  type VectorKind,
} from '../synthetic';
import { median, timeEach } from '../timing';

const K = 10;

/** The baseline layout: one record per vector, keyed like the app's chunks. */
interface PerVectorSchema extends DBSchema {
  vectors: {
    key: [string, number];
    value: { docId: string; ordinal: number; vector: Float32Array };
  };
}

export interface KnowledgeBaseShape {
  /** Database names: the app's layout, and one record per vector. */
  appDb: string;
  perVectorDb: string;
  rows: number;
  perDoc: number;
  dim: number;
}

export interface OpenRun {
  /**
   * blocks: the app's layout opened by the search handler, as its worker does; blocks-steps:
   * the same steps timed one by one; per-vector: the baseline.
   */
  layout: 'blocks' | 'blocks-steps' | 'per-vector';
  /** From opening the database until every vector is in a VectorIndex, ready to search. */
  openMs: number;
  /** Of which reading IndexedDB, and building the index (norms and int8 codes). */
  readMs: number | null;
  indexMs: number | null;
  /** blocks: open plus the first dense search, its passages read from IndexedDB. */
  firstQueryMs: number | null;
  /** blocks-steps: until the int8 codes, read after opening, are in the index. */
  codesMs?: number;
  vectors: number;
}

export interface DenseRun {
  kind: VectorKind;
  simd: boolean;
  scanMs: number;
  quantizedMs: number;
  recall: number;
  rescored: number;
  scanBytes: number;
  quantizedBytes: number;
}

export interface KeywordRun {
  chunks: number;
  words: number;
  terms: number;
  buildMs: number;
  queryMs: number;
  queries: number;
  bytes: number;
  restoreMs: number;
}

export type BenchMethods = {
  write: {
    request: KnowledgeBaseShape;
    result: { blocksMs: number; perVectorMs: number; documents: number; blocks: number };
    progress: never;
  };
  compact: {
    request: KnowledgeBaseShape;
    result: { ms: number; segments: number; blocksMoved: number };
    progress: never;
  };
  open: {
    request: KnowledgeBaseShape & { layout: OpenRun['layout'] };
    result: OpenRun;
    progress: never;
  };
  dense: {
    request: { kind: VectorKind; rows: number; dim: number; queries: number; seed: number };
    result: DenseRun;
    progress: never;
  };
  keyword: { request: Record<string, never>; result: KeywordRun; progress: never };
  warm: { request: Record<string, never>; result: null; progress: never };
};

function openPerVector(name: string) {
  return openDB<PerVectorSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('vectors', { keyPath: ['docId', 'ordinal'] });
    },
  });
}

const unwrap = <T>(value: T | Transfer<T>): T => (value instanceof Transfer ? value.value : value);
const context: HandlerContext<never> = { signal: new AbortController().signal, progress() {} };

/** Same vectors and text for both layouts: unit vectors, and chunks of made-up words. */
function knowledgeBase({ rows, perDoc, dim }: KnowledgeBaseShape) {
  const vectors = unitVectors('random', rows, dim, 7);
  const { docs } = keywordCorpus({
    chunks: rows,
    perDoc,
    words: 100,
    vocabulary: 30_000,
    queries: 0,
  });
  return { vectors, docs };
}

async function write(shape: KnowledgeBaseShape) {
  const { vectors, docs } = knowledgeBase(shape);
  const { dim, perDoc } = shape;

  let started = performance.now();
  const kb = await KnowledgeBase.open(shape.appDb);
  for (const [d, doc] of docs.entries()) {
    const chunks: ChunkRecord[] = [];
    let text = '';
    for (const chunk of doc.chunks) {
      if (text) text += '\n\n';
      chunks.push({
        docId: doc.id,
        ordinal: chunk.ordinal,
        start: text.length,
        end: text.length + chunk.text.length,
        text: chunk.text,
        headingPath: chunk.headingPath,
        tokens: 130,
      });
      text += chunk.text;
    }
    const document: DocumentRecord = {
      id: doc.id,
      name: doc.title,
      size: text.length,
      format: 'markdown',
      addedAt: d,
      chunkCount: chunks.length,
      charCount: text.length,
      contentHash: `bench-${d}`,
      modelId: 'bench/random-unit-vectors',
      chunking: { ...DEFAULT_CHUNKING },
      warnings: [],
    };
    const rows = vectors.subarray(d * perDoc * dim, (d + 1) * perDoc * dim);
    await kb.documents.add({ document, text, chunks, vectors: rows, dimension: dim });
  }
  kb.close();
  const blocksMs = performance.now() - started;

  started = performance.now();
  const db = await openPerVector(shape.perVectorDb);
  for (const [d, doc] of docs.entries()) {
    const tx = db.transaction('vectors', 'readwrite');
    const writes = doc.chunks.map(({ ordinal }) => {
      const at = (d * perDoc + ordinal) * dim;
      return tx.store.put({ docId: doc.id, ordinal, vector: vectors.slice(at, at + dim) });
    });
    await Promise.all([...writes, tx.done]);
  }
  db.close();
  return {
    blocksMs,
    perVectorMs: performance.now() - started,
    documents: docs.length,
    blocks: docs.length * Math.ceil(perDoc / VECTOR_BLOCK_ROWS),
  };
}

async function open({ layout, dim, ...shape }: BenchMethods['open']['request']): Promise<OpenRun> {
  const query = Float32Array.from({ length: dim }, gaussian(seeded(3)));
  const started = performance.now();
  if (layout === 'blocks') {
    // The search worker's own path: createSearchHandlers → open → KnowledgeBase → VectorIndex.
    const handlers = createSearchHandlers({
      openKnowledgeBase: () => KnowledgeBase.open(shape.appDb),
      // Measured separately (`compact`), as the app runs it in the background after adding.
      compactAfterMs: null,
    });
    const opened = unwrap(await handlers.open({}, context));
    const openMs = performance.now() - started;
    const found = unwrap(await handlers.search({ vector: query, k: K, mode: 'dense' }, context));
    const firstQueryMs = performance.now() - started;
    if (found.passages.length !== K) throw new Error(`Found ${found.passages.length} passages.`);
    return { layout, openMs, readMs: null, indexMs: null, firstQueryMs, vectors: opened.vectors };
  }
  if (layout === 'blocks-steps') {
    // What the handler's open does, step by step.
    const kb = await KnowledgeBase.open(shape.appDb);
    const [documents, stored] = await Promise.all([
      kb.documents.list(),
      kb.vectors.read({ deferCodes: true }),
    ]);
    const readMs = performance.now() - started;
    const index = VectorIndex.fromEncoded(stored.rows!, stored.runs);
    const known = new Set(documents.map((d) => d.id));
    const gone = stored.runs.filter((r) => !known.has(r.docId));
    if (gone.length > 0) {
      index.attachCodes((await stored.readCodes())!);
      for (const { docId } of gone) index.remove(docId);
    }
    const openMs = performance.now() - started;
    // What the search worker does next, in the background: searches scan until then.
    if (index.codesMissing) index.attachCodes((await stored.readCodes())!);
    const codesMs = performance.now() - started;
    kb.close();
    return {
      layout,
      openMs,
      readMs,
      indexMs: openMs - readMs,
      firstQueryMs: null,
      codesMs,
      vectors: index.size,
    };
  }
  const db = await openPerVector(shape.perVectorDb);
  const records = await db.getAll('vectors');
  const readMs = performance.now() - started;
  // Rows of one document are contiguous in key order: add each document as one block.
  const index = new VectorIndex(dim, records.length);
  for (let first = 0; first < records.length;) {
    const docId = records[first]!.docId;
    let end = first;
    while (end < records.length && records[end]!.docId === docId) end++;
    const rows = new Float32Array((end - first) * dim);
    for (let r = first; r < end; r++) rows.set(records[r]!.vector, (r - first) * dim);
    index.add(docId, records[first]!.ordinal, rows);
    first = end;
  }
  const openMs = performance.now() - started;
  if (index.search(query, K).length !== K) throw new Error('The index found too few rows.');
  db.close();
  return {
    layout,
    openMs,
    readMs,
    indexMs: openMs - readMs,
    firstQueryMs: null,
    vectors: index.size,
  };
}

/** What the search worker does in the background after documents were added. */
async function compact(shape: KnowledgeBaseShape) {
  const kb = await KnowledgeBase.open(shape.appDb);
  const started = performance.now();
  const result = await kb.vectors.compact();
  const ms = performance.now() - started;
  const segments = await kb.db.count('segments');
  kb.close();
  return { ms, segments, blocksMoved: result?.blocksMoved ?? 0 };
}

/**
 * Opens IndexedDB once in a fresh browser before the openings are timed: the first database a
 * browser opens pays for starting its storage backend, whichever layout it is (the app's page
 * has opened its database before the search worker opens it).
 */
async function warm() {
  const db = await openDB('grounded-bench-warm', 1, {
    upgrade(db) {
      db.createObjectStore('s');
    },
  });
  await db.put('s', 1, 'k');
  await db.get('s', 'k');
  db.close();
  return null;
}

async function dense({ kind, rows, dim, queries, seed }: BenchMethods['dense']['request']) {
  const data = unitVectors(kind, rows, dim, seed);
  const qs = queryVectors(kind, data, dim, queries, seed + 100);
  const index = new VectorIndex(dim, rows);
  index.add('bench', 0, data);
  const rowsOf = (query: Float32Array, method: 'scan' | 'quantized') =>
    new Set(index.search(query, K, { method }).map((hit) => hit.ordinal));
  const scanMs = median(timeEach(qs, (q) => index.search(q, K, { method: 'scan' })));
  const rescored: number[] = [];
  const quantizedMs = median(
    timeEach(qs, (q) => {
      const stats = { rescored: 0 };
      index.search(q, K, { method: 'quantized', stats });
      rescored.push(stats.rescored);
    }),
  );
  let hits = 0;
  for (const q of qs) {
    const truth = rowsOf(q, 'scan');
    for (const row of rowsOf(q, 'quantized')) hits += truth.has(row) ? 1 : 0;
  }
  return {
    kind,
    simd: index.simd,
    scanMs,
    quantizedMs,
    recall: hits / (qs.length * K),
    rescored: median(rescored),
    // A scan needs the Float32 rows and one inverse norm per row; the quantized search adds the
    // int8 codes, scale and error bounds. Neither counts the document and ordinal columns.
    scanBytes: rows * dim * 4 + rows * 4,
    quantizedBytes: index.byteLength - 8 * rows,
  };
}

async function keyword(): Promise<KeywordRun> {
  const { docs, queries } = keywordCorpus();
  let words = 0;
  for (const doc of docs) for (const chunk of doc.chunks) words += chunk.text.split(' ').length;
  let started = performance.now();
  const index = new KeywordIndex();
  for (const doc of docs) index.add(doc.id, doc.title, doc.chunks);
  index.flush();
  const buildMs = performance.now() - started;
  const queryMs = median(timeEach(queries, (q) => index.search(q, K)));
  const snapshot = index.toSnapshot();
  started = performance.now();
  // The copy IndexedDB or postMessage would make, as the Node benchmark times it.
  KeywordIndex.fromSnapshot(structuredClone(snapshot)).search('warm', 1); // builds the length norms
  const restoreMs = performance.now() - started;
  return {
    chunks: docs.reduce((n, d) => n + d.chunks.length, 0),
    words,
    terms: index.termCount,
    buildMs,
    queryMs,
    queries: queries.length,
    bytes: index.byteLength,
    restoreMs,
  };
}

// A DedicatedWorkerGlobalScope; the DOM library types `self` as a Window.
serve<BenchMethods>(self as unknown as Endpoint, {
  write,
  compact,
  open,
  dense,
  keyword,
  warm,
});
