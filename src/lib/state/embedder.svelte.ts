import type { DownloadProgress, EmbeddingBackend } from '../engines/embedding/embedder';
import { embeddingModelSpec } from '../engines/embedding/catalogue';
import type { EmbedMethods, LoadResult } from '../workers/embed-protocol';
import type { RpcClient } from '../workers/rpc';
import type { Settings } from './settings.svelte';

export type EmbedderStatus = 'idle' | 'loading' | 'ready' | 'failed';

/** The embedding model in the worker: which one, on which backend, and its download. */
export class EmbedderState {
  status = $state<EmbedderStatus>('idle');
  modelId = $state('');
  backend = $state<EmbeddingBackend | null>(null);
  fallbackReason = $state<string | null>(null);
  download = $state.raw<DownloadProgress | null>(null);
  error = $state<string | null>(null);
  #client: RpcClient<EmbedMethods>;
  #settings: Settings;
  #pending: { key: string; promise: Promise<LoadResult> } | null = null;

  constructor(client: RpcClient<EmbedMethods>, settings: Settings) {
    this.#client = client;
    this.#settings = settings;
  }

  /** Loads `modelId` unless it is already loaded or loading; resolves when it can embed. */
  ensureLoaded(modelId: string): Promise<LoadResult> {
    const backend = this.#settings.backend;
    const remoteHost = this.#settings.modelSource.mirror;
    const key = JSON.stringify([modelId, backend, remoteHost ?? '']);
    if (this.#pending?.key === key && this.status !== 'failed') return this.#pending.promise;

    this.status = 'loading';
    this.modelId = modelId;
    this.backend = null;
    this.error = null;
    this.download = null;
    const promise = this.#client
      .call(
        'load',
        { model: embeddingModelSpec(modelId), backend, ...(remoteHost ? { remoteHost } : {}) },
        { onProgress: (p) => (this.download = p) },
      )
      .then(
        (result) => {
          if (this.#pending?.key === key) {
            this.status = 'ready';
            this.backend = result.backend;
            this.fallbackReason = result.fallbackReason ?? null;
          }
          return result;
        },
        (error: Error) => {
          if (this.#pending?.key === key) {
            this.status = 'failed';
            this.error = error.message;
          }
          throw error;
        },
      );
    this.#pending = { key, promise };
    return promise;
  }
}
