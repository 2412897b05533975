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

/** What decides how passages are found, as the settings held it at one moment. */
export interface RetrievalSettings {
  mode: RetrievalMode;
  fusion: FusionOptions;
  topK: number;
  reranker: RerankerState | null;
}

export interface RetrieveOptions {
  /** Fixed for a whole evaluation run; the settings of the moment otherwise. */
  settings?: RetrievalSettings;
  /** Told each step as it starts. */
  onStage?: (stage: 'preparing' | 'retrieving' | 'reranking') => void;
  /** Checked between steps: false drops the result. */
  current?: () => boolean;
}

/** Passages found for a question, best first, and how. */
export interface Retrieved {
  passages: Passage[];
  /** The search that ran (keyword when there are no vectors yet). */
  mode: RetrievalMode;
  timings: RetrievalTimings;
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

  /** Back to an empty question box and no passages, as on a first visit. */
  clear(): void {
    this.cancel();
    this.question = '';
    this.asked = '';
    this.passages = [];
    this.timings = null;
    this.error = null;
    this.status = 'idle';
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
    this.asked = question;
    this.error = null;
    this.status = 'preparing';
    try {
      const found = await this.retrieve(question, {
        onStage: (stage) => {
          if (current()) this.status = stage;
        },
        current,
      });
      if (!found || !current()) return null;
      this.mode = found.mode;
      this.passages = found.passages;
      this.timings = found.timings;
      this.status = 'done';
      return { question, passages: found.passages, ms: found.timings.totalMs };
    } catch (error) {
      if (!current()) return null;
      this.status = 'failed';
      this.passages = [];
      this.error = `Could not retrieve passages for “${question}”: ${messageOf(error)}`;
      return null;
    }
  }

  /** The retrieval settings now. */
  settings(): RetrievalSettings {
    return { ...this.#deps.retrieval(), topK: this.#deps.topK(), reranker: this.#deps.reranker() };
  }

  /**
   * The passages for `question` with the current settings, as Ask shows them, without touching
   * what Ask shows: the evaluation retrieves through this too. Resolves null as soon as
   * `current()` turns false between steps; throws when a step fails.
   */
  async retrieve(
    question: string,
    { onStage, current = () => true, settings = this.settings() }: RetrieveOptions = {},
  ): Promise<Retrieved | null> {
    const started = performance.now();
    const { mode, fusion, topK: k, reranker } = settings;
    // Keyword search needs no embedding model.
    let vector: Float32Array | null = null;
    let embedMs = 0;
    if (mode !== 'keyword') {
      onStage?.('preparing');
      await this.#deps.prepare();
      if (!current()) return null;
      onStage?.('retrieving');
      ({ vector, ms: embedMs } = await this.#deps.embed.call('embed-query', { text: question }));
      if (!current()) return null;
    }
    onStage?.('retrieving');
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
      onStage?.('reranking');
      ({ passages, ms: rerankMs } = await reranker.rerank(question, passages, k));
      if (!current()) return null;
    }
    return {
      passages,
      mode: ran,
      timings: {
        embedMs,
        searchMs,
        totalMs: performance.now() - started,
        ...(rerankMs !== undefined ? { rerankMs } : {}),
      },
    };
  }
}
