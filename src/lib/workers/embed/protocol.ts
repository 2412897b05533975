/** Requests the embedding worker answers: loading the model, ingesting files, embedding questions. */

import type { ChunkingOptions } from '../../core/text/chunking';
import type { SelfCheck } from '../../core/models/vector-agreement';
import type { DocumentRecord } from '../../core/kb/documents';
import type { EmbeddingModelSpec } from '../../core/models/embedding-catalogue';
import type { DownloadProgress } from '../../engines/embedding/embedder';
import type { EmbeddingBackend } from '../../core/models/embedding-backend';
import type { SerializedError } from '../rpc';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface LoadRequest {
  model: EmbeddingModelSpec;
  backend: BackendPreference;
  /** Hugging Face-style mirror for model files; the hub when absent. */
  remoteHost?: string;
  /**
   * The WebGPU self-check's verdicts remembered for this model (on any adapter): one for the
   * adapter in use is trusted instead of checking again, and a disagreeing one goes straight
   * to WASM.
   */
  selfChecks?: SelfCheck[];
  /** Load again even if this model is loaded: to run the self-check again after forgetting it. */
  reload?: boolean;
}

export interface LoadResult {
  modelId: string;
  backend: EmbeddingBackend;
  dimension: number;
  maxTokens: number;
  /** Why WebGPU was not used, when it was wanted. */
  fallbackReason?: string;
  /**
   * How WebGPU's vectors compared with WASM's, when WebGPU was wanted and available: measured
   * in this load, or `remembered` from `LoadRequest.selfChecks`. A new one is for the caller to
   * remember.
   */
  selfCheck?: SelfCheck & { remembered: boolean };
  /** Why the self-check could not run (WebGPU is then kept, unchecked, and checked next time). */
  selfCheckError?: string;
}

/** A file to add; its bytes travel as a Blob handle, not a copy. */
export interface IngestFile {
  name: string;
  data: Blob;
  /** The stored document this is a new version of: replaced in the transaction that stores it. */
  replaces?: string;
}

export interface IngestRequest {
  files: IngestFile[];
  chunking: ChunkingOptions;
  /** Larger files are refused; ingest/read-document's MAX_DOCUMENT_BYTES when absent. */
  maxBytes?: number;
}

export type IngestStage = 'read' | 'chunk' | 'embed' | 'store';

/** A file's progress; `file` is its index in the request. */
export type FileProgress =
  | { file: number; stage: IngestStage; done: number; total: number }
  | { file: number; stage: 'done'; document: DocumentRecord; replaced?: string }
  | { file: number; stage: 'skipped'; reason: string }
  | { file: number; stage: 'failed'; error: SerializedError };

export interface IngestResult {
  added: number;
  skipped: number;
  failed: number;
}

export interface EmbedQueryResult {
  vector: Float32Array;
  ms: number;
}

/** Texts embedded alike, to compare with each other (the answer inspector's sentences). */
export interface EmbedTextsResult {
  /** texts.length × dimension unit vectors, row-major, in the texts' order. */
  vectors: Float32Array;
  dimension: number;
  /** The model they were embedded with: vectors of different models do not compare. */
  modelId: string;
  ms: number;
}

export interface ReembedProgress {
  /** Documents finished, of total; `name` is the one in progress. */
  done: number;
  total: number;
  name: string;
}

/** Documents from a knowledge base file made with another model: their texts, to embed again. */
export interface ImportTextsRequest {
  /** Each document's record (its id, name and content hash are kept) and text. */
  documents: { document: DocumentRecord; text: string }[];
  chunking: ChunkingOptions;
  /** The file they come from, named by errors (e.g. a full disk). */
  label: string;
}

export type EmbedMethods = {
  /** Re-embeds every stored document with the loaded model, replacing all vectors at once. */
  reembed: {
    request: { chunking: ChunkingOptions };
    result: { documents: number; chunks: number };
    progress: ReembedProgress;
  };
  /**
   * Chunks and embeds documents' texts with the loaded model, then stores them all in one
   * transaction (all or none), skipping those whose content is already stored.
   */
  'import-texts': {
    request: ImportTextsRequest;
    result: { added: DocumentRecord[]; skipped: DocumentRecord[] };
    progress: ReembedProgress;
  };
  load: { request: LoadRequest; result: LoadResult; progress: DownloadProgress };
  ingest: { request: IngestRequest; result: IngestResult; progress: FileProgress };
  'embed-query': { request: { text: string }; result: EmbedQueryResult; progress: never };
  /**
   * Texts embedded as passages are (the model's passage prefix), shortest first in batches, so
   * sentences of an answer and of passages compare with each other.
   */
  'embed-texts': { request: { texts: string[] }; result: EmbedTextsResult; progress: never };
};
