import type { Passage } from '../core/documents';
import type { EmbedMethods } from '../workers/embed-protocol';
import type { RpcClient } from '../workers/rpc';
import type { SearchMethods } from '../workers/search-protocol';

export type AskStatus = 'idle' | 'preparing' | 'retrieving' | 'done' | 'failed';

export interface RetrievalTimings {
  embedMs: number;
  searchMs: number;
  totalMs: number;
}

export interface AskDeps {
  embed: RpcClient<EmbedMethods>;
  search: RpcClient<SearchMethods>;
  /** Resolves when the knowledge base's embedding model is ready. */
  prepare(): Promise<unknown>;
  topK(): number;
}

/** A question and the passages retrieved for it. */
export class Ask {
  question = $state('');
  status = $state<AskStatus>('idle');
  /** The question the passages answer (the box may have changed since). */
  asked = $state('');
  passages = $state.raw<Passage[]>([]);
  timings = $state.raw<RetrievalTimings | null>(null);
  error = $state<string | null>(null);
  busy = $derived(this.status === 'preparing' || this.status === 'retrieving');
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
      await this.#deps.prepare();
      if (!current()) return null;
      this.status = 'retrieving';
      const { vector, ms: embedMs } = await this.#deps.embed.call('embed-query', {
        text: question,
      });
      if (!current()) return null;
      const { passages, ms: searchMs } = await this.#deps.search.call(
        'search',
        { vector, k: this.#deps.topK() },
        { transfer: [vector.buffer] },
      );
      if (!current()) return null;
      const totalMs = performance.now() - started;
      this.passages = passages;
      this.timings = { embedMs, searchMs, totalMs };
      this.status = 'done';
      return { question, passages, ms: totalMs };
    } catch (error) {
      if (!current()) return null;
      this.status = 'failed';
      this.passages = [];
      this.error = `Could not retrieve passages for “${question}”: ${error instanceof Error ? error.message : String(error)}`;
      return null;
    }
  }
}
