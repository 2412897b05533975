/** What the rest of the app needs from a sentence-embedding engine. */

import type { EmbeddingBackend } from '../../core/models/embedding-backend';

export interface Embedder {
  readonly modelId: string;
  readonly backend: EmbeddingBackend;
  readonly dimension: number;
  /** Tokens the model reads at most; longer input is truncated. */
  readonly maxTokens: number;
  /** Tokens of `text` by the model's own tokenizer, without special tokens. */
  countTokens(text: string): number;
  /** Unit-length vectors, texts.length × dimension, row-major. */
  embed(texts: string[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface DownloadProgress {
  /** Bytes received so far over all files, and the total announced so far. */
  loaded: number;
  total: number;
  file?: string;
}

/** A model that could not be loaded: says which, from where, and what to try. */
export class EmbeddingModelLoadError extends Error {
  override name = 'EmbeddingModelLoadError';
}
