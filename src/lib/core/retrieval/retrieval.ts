/*
 * core/retrieval/ — finding the passages for a question: the English analyzer and BM25 keyword
 * index, the dense vector index with its int8 first pass and top-k kernels, fusion of the two
 * rankings, and the reranker's reordering. retrieval.ts (this file) runs one retrieval step.
 */

/**
 * One retrieval step as the app runs it: dense, keyword or both fused. The search worker and the
 * evaluation command (scripts/eval-retrieval.ts) both call retrieve(), so measured quality is
 * the app's quality.
 */

import type { KeywordIndex } from './bm25';
import { fuse, single, type Fused, type FusionOptions, type Ranked } from './fusion';
import type { VectorIndex } from './vector-index';

export const RETRIEVAL_MODES = ['hybrid', 'dense', 'keyword'] as const;
export type RetrievalMode = (typeof RETRIEVAL_MODES)[number];

export interface RetrievalSettings {
  mode: RetrievalMode;
  /** Results wanted. */
  k: number;
  fusion?: FusionOptions;
  /** Results taken from each list before fusing; at least k. 100 by default. */
  candidates?: number;
}

export interface RetrievalQuery {
  /** The question; empty when there is none (then hybrid is dense-only). */
  text: string;
  /** The question's embedding; null when there is none (then hybrid is keyword-only). */
  vector: Float32Array | null;
}

export interface RetrievedChunk extends Omit<Fused, 'key'> {
  docId: string;
  ordinal: number;
  /** Analyzed query terms the chunk contains (empty unless keyword search ran). */
  matchedTerms: string[];
}

export interface Retrieval {
  chunks: RetrievedChunk[];
  /** What actually ran: 'hybrid' falls back to one list when the other is unavailable. */
  mode: RetrievalMode;
}

export const DEFAULT_CANDIDATES = 100;

/** Either index may be missing or empty (e.g. the keyword index before it is built). */
export interface RetrievalIndexes {
  vectors: VectorIndex | null;
  keywords: KeywordIndex | null;
}

export function retrieve(
  { vectors, keywords }: RetrievalIndexes,
  query: RetrievalQuery,
  { mode, k, fusion, candidates = DEFAULT_CANDIDATES }: RetrievalSettings,
): Retrieval {
  const canDense = vectors !== null && query.vector !== null;
  const canKeyword = keywords !== null && query.text.trim() !== '';
  const runDense = canDense && mode !== 'keyword';
  const runKeyword = canKeyword && mode !== 'dense';
  const depth = mode === 'hybrid' && runDense && runKeyword ? Math.max(k, candidates) : k;

  const places = new Map<string, { docId: string; ordinal: number; matchedTerms: string[] }>();
  const ranked = (hits: { docId: string; ordinal: number; score: number }[]): Ranked[] =>
    hits.map((hit) => {
      const key = `${hit.ordinal}:${hit.docId}`;
      if (!places.has(key))
        places.set(key, { docId: hit.docId, ordinal: hit.ordinal, matchedTerms: [] });
      return { key, score: hit.score };
    });

  const dense = runDense ? ranked(vectors.search(query.vector!, depth)) : [];
  const keywordHits = runKeyword ? keywords.search(query.text, depth) : [];
  const keyword = ranked(keywordHits);
  keywordHits.forEach((hit, i) => (places.get(keyword[i]!.key)!.matchedTerms = hit.matchedTerms));

  let used: RetrievalMode;
  let fused: Fused[];
  if (runDense && runKeyword) {
    used = 'hybrid';
    fused = fuse(dense, keyword, fusion);
  } else if (runDense) {
    used = 'dense';
    fused = single(dense, 'dense');
  } else if (runKeyword) {
    used = 'keyword';
    fused = single(keyword, 'keyword');
  } else {
    return { chunks: [], mode };
  }
  return {
    mode: used,
    chunks: fused.slice(0, k).map(({ key, ...ranks }) => ({ ...places.get(key)!, ...ranks })),
  };
}
