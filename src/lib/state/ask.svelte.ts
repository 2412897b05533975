import { messageOf } from '../core/text/format';
import type { Passage } from '../core/kb/documents';
import type { FusionOptions } from '../core/retrieval/fusion';
import type { RetrievalMode } from '../core/retrieval/retrieval';
import { RERANK_CANDIDATES, type RerankerState } from './reranker.svelte';
import type { EmbedMethods } from '../workers/embed/protocol';
import type { RpcClient } from '../workers/rpc';
import type { SearchMethods } from '../workers/search/protocol';

export type AskStatus = 'idle' | 'preparing' | 'retrieving' | 'reranking' | 'done' | 'failed';

export interface RetrievalTimings {
  embedMs: number;
  searchMs: number;
  /** Set when the reranker ran. */
  rerankMs?: number;
  totalMs: number;
}

export interface AskDeps {
  embed: RpcClient<EmbedMethods>;
  search: RpcClient<SearchMethods>;
  /** Resolves when the knowledge base's embedding model is ready. */
  prepare(): Promise<unknown>;
  topK(): number;
  retrieval(): { mode: RetrievalMode; fusion: FusionOptions };
  /** The cross-encoder, when reranking is on. */
  reranker(): RerankerState | null;
}

/** A question and the passages retrieved for it. */
export class Ask {
  question = $state('');
  status = $state<AskStatus>('idle');
  /** The question the passages answer (the box may have changed since). */
  asked = $state('');
  passages = $state.raw<Passage[]>([]);
  /** How the shown passages were found. */
  mode = $state<RetrievalMode>('hybrid');
  timings = $state.raw<RetrievalTimings | null>(null);
  error = $state<string | null>(null);
  busy = $derived(
    this.status === 'preparing' || this.status === 'retrieving' || this.status === 'reranking',
  );
  #deps: AskDeps;
  #latest = 0;

  constructor(deps: AskDeps) {
    this.#deps = deps;
  }

  /** Retrieval still running is forgotten: its passages will not be shown. */
  cancel(): void {
    this.#latest++;
    if (this.busy) this.status = this.passages.length > 0 ? 'done' : 'idle';
  }

  /**
   * Retrieves passages for the question; a newer call supersedes an older one still running.
   * Resolves with what was retrieved, or null when it failed or was superseded.
   */
  async run(): Promise<{ question: string; passages: Passage[]; ms: number } | null> {
    const question = this.question.trim();
    if (!question) return null;
    const id = ++this.#latest;
    const current = () => id === this.#latest;
    const started = performance.now();
    this.asked = question;
    this.error = null;
    this.status = 'preparing';
    try {
      const { mode, fusion } = this.#deps.retrieval();
      // Keyword search needs no embedding model.
      let vector: Float32Array | null = null;
      let embedMs = 0;
      if (mode !== 'keyword') {
        await this.#deps.prepare();
        if (!current()) return null;
        this.status = 'retrieving';
        ({ vector, ms: embedMs } = await this.#deps.embed.call('embed-query', { text: question }));
        if (!current()) return null;
      }
      this.status = 'retrieving';
      const k = this.#deps.topK();
      const reranker = this.#deps.reranker();
      const found = await this.#deps.search.call(
        'search',
        { vector, text: question, mode, fusion, k: reranker ? Math.max(k, RERANK_CANDIDATES) : k },
        vector ? { transfer: [vector.buffer] } : {},
      );
      if (!current()) return null;
      let passages = found.passages;
      const { ms: searchMs, mode: ran } = found;
      let rerankMs: number | undefined;
      if (reranker) {
        this.status = 'reranking';
        ({ passages, ms: rerankMs } = await reranker.rerank(question, passages, k));
        if (!current()) return null;
      }
      this.mode = ran;
      const totalMs = performance.now() - started;
      this.passages = passages;
      this.timings = {
        embedMs,
        searchMs,
        totalMs,
        ...(rerankMs !== undefined ? { rerankMs } : {}),
      };
      this.status = 'done';
      return { question, passages, ms: totalMs };
    } catch (error) {
      if (!current()) return null;
      this.status = 'failed';
      this.passages = [];
      this.error = `Could not retrieve passages for “${question}”: ${messageOf(error)}`;
      return null;
    }
  }
}
