/** Requests the search worker answers: it holds every vector in memory and finds the nearest. */

import type { Passage } from '../core/documents';

export interface OpenResult {
  documents: number;
  vectors: number;
  dimension: number | null;
  ms: number;
}

export interface SearchRequest {
  vector: Float32Array;
  k: number;
}

export interface SearchResult {
  passages: Passage[];
  ms: number;
}

export type SearchMethods = {
  /** (Re)loads every vector from IndexedDB. */
  open: { request: Record<string, never>; result: OpenResult; progress: never };
  /** Loads the vectors of a document that was just stored. */
  add: { request: { docId: string }; result: { vectors: number }; progress: never };
  remove: { request: { docId: string }; result: { vectors: number }; progress: never };
  search: { request: SearchRequest; result: SearchResult; progress: never };
};
