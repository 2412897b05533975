/** What the rest of the app needs from a reranker. */

import type { DownloadProgress } from '../embedding/embedder';
import type { EmbeddingBackend } from '../../core/models/embedding-backend';

export type { DownloadProgress };
export type RerankBackend = EmbeddingBackend;

export interface Reranker {
  readonly modelId: string;
  readonly backend: RerankBackend;
  /** Tokens of query and passage together the model reads at most; the rest is cut off. */
  readonly maxTokens: number;
  /**
   * One score per passage, in the order given: higher means the passage answers `query` better.
   * The model's raw logit (ms-marco cross-encoders use no activation), comparable only between
   * passages scored for the same query. Rejects with `signal.reason` once `signal` is aborted.
   */
  score(query: string, passages: readonly string[], signal?: AbortSignal): Promise<number[]>;
  dispose(): Promise<void>;
}

/** A reranking model that could not be loaded: says which, from where, and what to try. */
export class RerankerLoadError extends Error {
  override name = 'RerankerLoadError';
}
