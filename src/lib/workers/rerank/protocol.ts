/** Requests the reranking worker answers: loading a cross-encoder, scoring passages for a query. */

import type { RerankerModelSpec } from '../../core/models/rerank-catalogue';
import type { DownloadProgress, RerankBackend } from '../../engines/rerank/reranker';
import type { BackendPreference } from '../embed/protocol';

export interface RerankLoadRequest {
  model: RerankerModelSpec;
  backend: BackendPreference;
  /** Hugging Face-style mirror for model files; the hub when absent. */
  remoteHost?: string;
}

export interface RerankLoadResult {
  modelId: string;
  backend: RerankBackend;
  /** Tokens of question and passage together the model reads; the rest of a passage is cut. */
  maxTokens: number;
  /** Why WebGPU was not used, when it was wanted. */
  fallbackReason?: string;
}

export interface RerankRequest {
  query: string;
  passages: string[];
}

export interface RerankResult {
  /** One per passage, in the order sent; higher is better. */
  scores: number[];
  /** Time spent scoring, in milliseconds. */
  ms: number;
}

export type RerankMethods = {
  load: { request: RerankLoadRequest; result: RerankLoadResult; progress: DownloadProgress };
  rerank: { request: RerankRequest; result: RerankResult; progress: never };
};
