import type { Passage } from '../core/kb/documents';
import { chunkEmbeddingText } from '../core/text/embedding-input';
import { rerankPassages } from '../core/retrieval/rerank';
import { rerankerModelSpec } from '../core/models/rerank-catalogue';
import type { DownloadProgress } from '../engines/rerank/reranker';
import { startRerankWorker, type RerankWorker } from '../workers/rerank/client';
import type { Settings } from './settings.svelte';

/** How many retrieved passages the reranker rescores when it is on. */
export const RERANK_CANDIDATES = 20;

/**
 * The optional cross-encoder: its worker starts only when the person turns reranking on, and
 * stops when they turn it off (it holds its own onnxruntime and model).
 */
export class RerankerState {
  loading = $state.raw<DownloadProgress | null>(null);
  loadedModel = $state<string | null>(null);
  readonly #settings: Settings;
  readonly #onCrash: (message: string) => void;
  #worker: RerankWorker | null = null;
  #loaded: Promise<unknown> | null = null;
  #key = '';

  constructor(settings: Settings, onCrash: (message: string) => void) {
    this.#settings = settings;
    this.#onCrash = onCrash;
  }

  get enabled(): boolean {
    return this.#settings.rerank;
  }

  /** Turns reranking on or off, and saves it; off also stops the worker. */
  setEnabled(on: boolean): void {
    this.#settings.rerank = on;
    if (!on) this.stop();
    this.#settings.save();
  }

  /**
   * The passages reordered by the cross-encoder, best first, each keeping its retrieval rank;
   * `k` of them.
   */
  async rerank(
    question: string,
    candidates: Passage[],
    k: number,
  ): Promise<{ passages: Passage[]; ms: number }> {
    if (candidates.length < 2) return { passages: candidates.slice(0, k), ms: 0 };
    const worker = await this.#ready();
    const { scores, ms } = await worker.client.call('rerank', {
      query: question,
      passages: candidates.map(chunkEmbeddingText),
    });
    return { passages: rerankPassages(candidates, scores).slice(0, k), ms };
  }

  /** Turning reranking off gives the worker's memory back. */
  stop(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#loaded = null;
    this.loadedModel = null;
  }

  async #ready(): Promise<RerankWorker> {
    const model = this.#settings.rerankModel;
    const remoteHost = this.#settings.modelSource.mirror;
    const key = JSON.stringify([model, this.#settings.backend, remoteHost ?? '']);
    if (key !== this.#key) this.stop();
    this.#key = key;
    this.#worker ??= startRerankWorker((error) => {
      this.stop();
      this.#onCrash(error.message);
    });
    const worker = this.#worker;
    this.#loaded ??= worker.client
      .call(
        'load',
        {
          model: rerankerModelSpec(model),
          backend: this.#settings.backend,
          ...(remoteHost ? { remoteHost } : {}),
        },
        { onProgress: (p) => (this.loading = p) },
      )
      .then(
        (result) => {
          this.loadedModel = result.modelId;
        },
        (error: unknown) => {
          this.#loaded = null;
          throw error;
        },
      )
      .finally(() => (this.loading = null));
    await this.#loaded;
    return worker;
  }
}
