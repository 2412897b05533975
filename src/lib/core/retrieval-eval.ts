/**
 * Retrieval quality on a BEIR dataset through the app's own indexes and retrieve(): each corpus
 * document is one chunk, its title the document name (as a file name is in the app).
 */

import type { BeirDocument, BeirQuery, Qrels } from './beir';
import { KeywordIndex, type Bm25Options } from './bm25';
import { chunkEmbeddingText } from './embedding-input';
import type { FusionOptions } from './fusion';
import { evaluateRun, type RetrievalMetrics } from './metrics';
import { retrieve, type RetrievalMode } from './retrieval';
import { VectorIndex } from './vector-index';

export interface EvalEmbedder {
  /** Unit-length vectors, texts.length × dimension, row-major. */
  embedPassages(texts: string[]): Promise<Float32Array>;
  embedQueries(texts: string[]): Promise<Float32Array>;
}

export interface EvalOptions {
  mode: RetrievalMode;
  /** Needed for dense and hybrid. */
  embedder?: EvalEmbedder;
  bm25?: Partial<Bm25Options>;
  fusion?: FusionOptions;
  /** Ranked results kept per query; Recall@100 needs 100. */
  depth?: number;
  /** Passages embedded per call. */
  batchSize?: number;
  onProgress?: (stage: 'embedding' | 'searching', done: number, total: number) => void;
}

export interface EvalReport extends RetrievalMetrics {
  mode: RetrievalMode;
  documents: number;
  /** Building the keyword index (analysis included). */
  keywordIndexMs: number;
  /** Embedding the corpus and filling the vector index. */
  vectorIndexMs: number;
  /** Per query, embedding it (dense, hybrid) and searching. */
  queriesPerSecond: number;
  /** Per query, searching only. */
  searchesPerSecond: number;
}

export class MissingEmbedderError extends Error {
  override name = 'MissingEmbedderError';
  constructor(mode: RetrievalMode) {
    super(
      `The ${mode} mode needs an embedding model: pass one (e.g. --model Xenova/all-MiniLM-L6-v2).`,
    );
  }
}

export async function evaluateRetrieval(
  data: { corpus: readonly BeirDocument[]; queries: readonly BeirQuery[]; qrels: Qrels },
  { mode, embedder, bm25, fusion, depth = 100, batchSize = 32, onProgress }: EvalOptions,
): Promise<EvalReport> {
  const needsDense = mode !== 'keyword';
  if (needsDense && !embedder) throw new MissingEmbedderError(mode);
  const queries = data.queries.filter((q) => data.qrels.has(q.id));

  let keywords: KeywordIndex | null = null;
  let keywordIndexMs = 0;
  if (mode !== 'dense') {
    const started = performance.now();
    keywords = new KeywordIndex(bm25);
    for (const doc of data.corpus) {
      keywords.add(doc.id, doc.title, [{ ordinal: 0, headingPath: [], text: doc.text }]);
    }
    keywords.flush();
    keywordIndexMs = performance.now() - started;
  }

  let vectors: VectorIndex | null = null;
  let vectorIndexMs = 0;
  let queryVectors: Float32Array[] = [];
  let queryEmbedMs = 0;
  if (needsDense && embedder) {
    const started = performance.now();
    const total = data.corpus.length;
    for (let at = 0; at < total; at += batchSize) {
      const batch = data.corpus.slice(at, at + batchSize);
      const texts = batch.map((doc) =>
        chunkEmbeddingText({ headingPath: doc.title ? [doc.title] : [], text: doc.text }),
      );
      const embedded = await embedder.embedPassages(texts);
      const dim = embedded.length / batch.length;
      vectors ??= new VectorIndex(dim, total);
      batch.forEach((doc, i) => vectors!.add(doc.id, 0, embedded.subarray(i * dim, (i + 1) * dim)));
      onProgress?.('embedding', Math.min(at + batchSize, total), total);
    }
    vectorIndexMs = performance.now() - started;

    const embedStarted = performance.now();
    for (let at = 0; at < queries.length; at += batchSize) {
      const batch = queries.slice(at, at + batchSize);
      const embedded = await embedder.embedQueries(batch.map((q) => q.text));
      const dim = embedded.length / batch.length;
      batch.forEach((_, i) => queryVectors.push(embedded.slice(i * dim, (i + 1) * dim)));
    }
    queryEmbedMs = performance.now() - embedStarted;
  } else {
    queryVectors = queries.map(() => new Float32Array(0));
  }

  const search = (i: number) =>
    retrieve(
      { vectors, keywords },
      { text: queries[i]!.text, vector: needsDense ? queryVectors[i]! : null },
      { mode, k: depth, fusion },
    ).chunks.map((chunk) => chunk.docId);
  // A few untimed queries first, so the timing is of compiled code.
  for (let i = 0; i < Math.min(20, queries.length); i++) search(i);
  const run = new Map<string, string[]>();
  const started = performance.now();
  queries.forEach((query, i) => {
    run.set(query.id, search(i));
    if (i % 50 === 49) onProgress?.('searching', i + 1, queries.length);
  });
  const searchMs = performance.now() - started;
  const perSecond = (ms: number) => (ms > 0 ? (queries.length * 1000) / ms : Infinity);

  return {
    mode,
    documents: data.corpus.length,
    // Judged queries missing from queries.jsonl cannot be run, so they are not counted.
    ...evaluateRun(run, new Map(queries.map((q) => [q.id, data.qrels.get(q.id)!]))),
    keywordIndexMs,
    vectorIndexMs,
    queriesPerSecond: perSecond(searchMs + queryEmbedMs),
    searchesPerSecond: perSecond(searchMs),
  };
}
