/**
 * Requests the search worker answers: it holds every vector and a keyword index in memory and
 * finds the passages nearest to a question, by embedding, by keywords, or both.
 */

import type { Passage } from '../../core/kb/documents';
import type { FusionOptions } from '../../core/retrieval/fusion';
import type { RetrievalMode } from '../../core/retrieval/retrieval';

export interface OpenResult {
  documents: number;
  vectors: number;
  dimension: number | null;
  ms: number;
}

export interface SearchRequest {
  /** The question's embedding; dense and hybrid search need it. */
  vector?: Float32Array | null;
  k: number;
  /** The question's text; keyword and hybrid search need it. */
  text?: string;
  /**
   * 'hybrid' (the default) fuses dense and keyword rankings, and is dense only without `text`
   * or keyword only without `vector`.
   */
  mode?: RetrievalMode;
  /** How hybrid fuses: reciprocal rank fusion (k = 60) by default. */
  fusion?: FusionOptions;
}

export interface SearchResult {
  passages: Passage[];
  ms: number;
  /** The search that ran (see SearchRequest.mode). */
  mode: RetrievalMode;
}

export type SearchMethods = {
  /** (Re)loads every vector from IndexedDB. */
  open: { request: Record<string, never>; result: OpenResult; progress: never };
  /** Loads the vectors of a document that was just stored. */
  add: { request: { docId: string }; result: { vectors: number }; progress: never };
  remove: { request: { docId: string }; result: { vectors: number }; progress: never };
  search: { request: SearchRequest; result: SearchResult; progress: never };
};
