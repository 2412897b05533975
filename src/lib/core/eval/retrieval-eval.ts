/*
 * core/eval/ — measuring what retrieval and grounding do: question sets (questions.ts, imported
 * from JSONL/CSV, read from the sample QUESTIONS.md or generated from sampled passages), fact
 * matching and abstention, scoring a run and comparing two, exporting runs; BEIR datasets,
 * ranking metrics (nDCG, recall, MRR) and the retrieval evaluation runner (this file) that
 * scores the app's own retrieve().
 */

/**
 * Retrieval quality on a BEIR dataset through the app's own indexes and retrieve(): each corpus
 * document is one chunk, its title the document name (as a file name is in the app).
 *
 * prepareEval builds the indexes and embeds the queries once; runEval then scores any mode and
 * fusion setting on any subset of the queries, so comparing or tuning settings embeds nothing
 * again.
 */

import type { BeirDocument, BeirQuery, Qrels } from './beir';
import { KeywordIndex, type Bm25Options } from '../retrieval/bm25';
import { chunkEmbeddingText, embedByLength } from '../text/embedding-input';
import type { FusionOptions } from '../retrieval/fusion';
import { evaluateRun, type RetrievalMetrics } from './metrics';
import { retrieve, type RetrievalMode } from '../retrieval/retrieval';
import { VectorIndex } from '../retrieval/vector-index';

export interface EvalData {
  corpus: readonly BeirDocument[];
  queries: readonly BeirQuery[];
  qrels: Qrels;
}

export interface EvalEmbedder {
  /**
   * Unit-length vectors, texts.length × dimension, row-major. Passages come as the app embeds a
   * chunk without a model prefix (chunkEmbeddingText); adding the model's prefixes is the
   * embedder's part.
   */
  embedPassages(texts: string[]): Promise<Float32Array>;
  embedQueries(texts: string[]): Promise<Float32Array>;
}

export type EvalProgress = (stage: 'embedding' | 'searching', done: number, total: number) => void;

export interface PrepareOptions {
  /** Needed for dense and hybrid. */
  embedder?: EvalEmbedder;
  /** The corpus already embedded (corpusPassageTexts, in order), e.g. from a cache. */
  corpusVectors?: Float32Array;
  /** Build the keyword index (bm25 and hybrid); true by default. */
  keyword?: boolean;
  bm25?: Partial<Bm25Options>;
  /** Passages embedded per call. */
  batchSize?: number;
  onProgress?: EvalProgress;
}

export interface PreparedEval {
  data: EvalData;
  /** The queries that have judgements, in queries.jsonl order. */
  queries: readonly BeirQuery[];
  keywords: KeywordIndex | null;
  vectors: VectorIndex | null;
  /** One per query, or null without an embedder. */
  queryVectors: Float32Array[] | null;
  /** Building the keyword index (analysis included). */
  keywordIndexMs: number;
  /** Embedding the corpus (0 when it came embedded) and filling the vector index. */
  vectorIndexMs: number;
  queryEmbedMs: number;
}

export interface RunOptions {
  mode: RetrievalMode;
  fusion?: FusionOptions;
  /** Ranked results kept per query; Recall@100 needs 100. */
  depth?: number;
  /** Which judged queries to run; all by default. */
  include?: (query: BeirQuery) => boolean;
  onProgress?: EvalProgress;
}

export interface EvalReport extends RetrievalMetrics {
  mode: RetrievalMode;
  documents: number;
  keywordIndexMs: number;
  vectorIndexMs: number;
  /** Per query, embedding it (dense, hybrid) and searching. */
  queriesPerSecond: number;
  /** Per query, searching only. */
  searchesPerSecond: number;
}

export type EvalOptions = PrepareOptions & RunOptions;

export class MissingEmbedderError extends Error {
  override name = 'MissingEmbedderError';
  constructor(mode: RetrievalMode) {
    super(
      `The ${mode} mode needs an embedding model: pass one (e.g. --model Xenova/all-MiniLM-L6-v2).`,
    );
  }
}

/** The text embedded for each corpus document: its title as the heading, then its text. */
export function corpusPassageTexts(corpus: readonly BeirDocument[]): string[] {
  return corpus.map((doc) =>
    chunkEmbeddingText({ headingPath: doc.title ? [doc.title] : [], text: doc.text }),
  );
}

export async function prepareEval(
  data: EvalData,
  {
    embedder,
    corpusVectors,
    keyword = true,
    bm25,
    batchSize = 32,
    onProgress,
  }: PrepareOptions = {},
): Promise<PreparedEval> {
  const queries = data.queries.filter((q) => data.qrels.has(q.id));

  let keywords: KeywordIndex | null = null;
  let keywordIndexMs = 0;
  if (keyword) {
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
  let queryVectors: Float32Array[] | null = null;
  let queryEmbedMs = 0;
  if (embedder) {
    const started = performance.now();
    const total = data.corpus.length;
    const rows =
      corpusVectors ??
      (await embedByLength(corpusPassageTexts(data.corpus), (t) => embedder.embedPassages(t), {
        batchSize,
        longestFirst: true,
        onBatch: (done) => done > 0 && onProgress?.('embedding', done, total),
      }));
    const dim = rows.length / total;
    if (!Number.isInteger(dim) || dim === 0) {
      throw new RangeError(`${rows.length} numbers are not one vector per document (${total}).`);
    }
    vectors = new VectorIndex(dim, total);
    data.corpus.forEach((doc, i) => vectors!.add(doc.id, 0, rows.subarray(i * dim, (i + 1) * dim)));
    vectorIndexMs = performance.now() - started;

    const embedStarted = performance.now();
    const embedded = await embedByLength(
      queries.map((q) => q.text),
      (texts) => embedder.embedQueries(texts),
      { batchSize, longestFirst: true },
    );
    queryVectors = queries.map((_, i) => embedded.slice(i * dim, (i + 1) * dim));
    queryEmbedMs = performance.now() - embedStarted;
  }
  return {
    data,
    queries,
    keywords,
    vectors,
    queryVectors,
    keywordIndexMs,
    vectorIndexMs,
    queryEmbedMs,
  };
}

export function runEval(
  prepared: PreparedEval,
  { mode, fusion, depth = 100, include = () => true, onProgress }: RunOptions,
): EvalReport {
  const { keywords, vectors, queryVectors } = prepared;
  const needsDense = mode !== 'keyword';
  if (needsDense && (!vectors || !queryVectors)) throw new MissingEmbedderError(mode);
  if (mode !== 'dense' && !keywords) {
    throw new RangeError(`The ${mode} mode needs the keyword index: prepare with keyword: true.`);
  }
  const picked = prepared.queries.flatMap((query, i) => (include(query) ? [{ query, i }] : []));

  const search = ({ query, i }: (typeof picked)[number]) =>
    retrieve(
      { vectors: needsDense ? vectors : null, keywords: mode === 'dense' ? null : keywords },
      { text: query.text, vector: needsDense ? queryVectors![i]! : null },
      { mode, k: depth, fusion },
    ).chunks.map((chunk) => chunk.docId);
  // A few untimed queries first, so the timing is of compiled code.
  picked.slice(0, 20).forEach(search);
  const run = new Map<string, string[]>();
  const started = performance.now();
  picked.forEach((entry, n) => {
    run.set(entry.query.id, search(entry));
    if (n % 50 === 49) onProgress?.('searching', n + 1, picked.length);
  });
  const searchMs = performance.now() - started;
  const perQueryEmbedMs = needsDense ? prepared.queryEmbedMs / prepared.queries.length : 0;
  const perSecond = (ms: number) => (ms > 0 ? (picked.length * 1000) / ms : Infinity);

  return {
    mode,
    documents: prepared.data.corpus.length,
    // Judged queries missing from queries.jsonl cannot be run, so they are not counted.
    ...evaluateRun(
      run,
      new Map(picked.map(({ query }) => [query.id, prepared.data.qrels.get(query.id)!])),
    ),
    keywordIndexMs: prepared.keywordIndexMs,
    vectorIndexMs: prepared.vectorIndexMs,
    queriesPerSecond: perSecond(searchMs + perQueryEmbedMs * picked.length),
    searchesPerSecond: perSecond(searchMs),
  };
}

/** prepareEval and runEval for one mode. */
export async function evaluateRetrieval(data: EvalData, options: EvalOptions): Promise<EvalReport> {
  if (options.mode !== 'keyword' && !options.embedder) {
    throw new MissingEmbedderError(options.mode);
  }
  const prepared = await prepareEval(data, {
    ...options,
    keyword: options.mode !== 'dense',
    embedder: options.mode === 'keyword' ? undefined : options.embedder,
  });
  return runEval(prepared, options);
}
