/*
 * core/kb/ — the knowledge base's records: documents, chunks and passages (this file), and the
 * .grounded export file that carries them between browsers.
 */

/** The shapes of documents, chunks and passages shared by every layer. */

import type { Chunk, ChunkingOptions } from '../text/chunking';
import type { DocumentFormat } from '../text/document-format';

export interface DocumentRecord {
  id: string;
  name: string;
  /** Size of the file in bytes. */
  size: number;
  format: DocumentFormat;
  /** Milliseconds since the epoch. */
  addedAt: number;
  chunkCount: number;
  charCount: number;
  /** SHA-256 of the file's bytes, hex. */
  contentHash: string;
  /** The embedding model its vectors were made with. */
  modelId: string;
  chunking: ChunkingOptions;
  /** Things the user should know about this document, e.g. replaced invalid bytes. */
  warnings: string[];
  /** PDF: where each page starts in the text; pageStarts[0] is page 1's, always 0. */
  pageStarts?: number[];
  /** Source code: its language, e.g. "Python". */
  language?: string;
}

/** A chunk as stored: its offsets are into the document's stored text. */
export interface ChunkRecord extends Chunk {
  docId: string;
  /** PDF: the 1-based page the chunk is on (a chunk never spans two pages). */
  page?: number;
}

/** One retrieved passage, as shown under Retrieved passages. */
export interface Passage {
  rank: number;
  /** What the ranking is by: cosine (dense), BM25 (keyword) or the fused score (hybrid). */
  score: number;
  docId: string;
  docName: string;
  ordinal: number;
  chunkCount: number;
  start: number;
  end: number;
  headingPath: string[];
  text: string;
  /** PDF: the 1-based page the passage is on. */
  page?: number;
  /**
   * Why it was retrieved: its 1-based rank and score in the dense (cosine) and keyword (BM25)
   * rankings, null when that ranking did not return it, absent when that search did not run.
   */
  denseRank?: number | null;
  denseScore?: number | null;
  keywordRank?: number | null;
  keywordScore?: number | null;
  /** Its rank after fusing, before passages deleted meanwhile were dropped. */
  fusedRank?: number;
  /** Analyzed question terms it contains; core/retrieval/analyzer.ts matchRanges finds them in `text`. */
  matchedTerms?: string[];
  /**
   * When a reranker reordered the passages (core/retrieval/rerank.ts): its score (higher is better, only
   * comparable within one question) and the `rank` it had before, by `score`. `rank` is then its
   * place in the reranked order.
   */
  rerankScore?: number;
  retrievalRank?: number;
}

/** What the knowledge base records about the vectors it holds, so models are never mixed. */
export interface KnowledgeBaseMeta {
  modelId: string;
  dimension: number;
  createdAt: number;
}
