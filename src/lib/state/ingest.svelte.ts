import type { ChunkingOptions } from '../core/chunking';
import type { DocumentRecord } from '../core/documents';
import type { EmbedMethods, FileProgress, IngestStage } from '../workers/embed-protocol';
import { isAbortError, type RpcClient } from '../workers/rpc';

export type JobStage = 'queued' | IngestStage | 'done' | 'skipped' | 'failed' | 'cancelled';

export interface FileJob {
  key: number;
  name: string;
  size: number;
  stage: JobStage;
  done: number;
  total: number;
  /** Chunks made, once known. */
  chunks: number | null;
  message: string | null;
}

export interface IngestCallbacks {
  /** Resolves when the model that embeds the files is ready. */
  prepare(): Promise<unknown>;
  chunking(): ChunkingOptions;
  stored(document: DocumentRecord): Promise<void>;
  failed(message: string): void;
}

const FINISHED: ReadonlySet<JobStage> = new Set(['done', 'skipped', 'failed', 'cancelled']);

/** Files on their way into the knowledge base: read, chunk, embed, store. */
export class Ingest {
  jobs = $state<FileJob[]>([]);
  running = $derived(this.jobs.some((j) => !FINISHED.has(j.stage)));
  #client: RpcClient<EmbedMethods>;
  #callbacks: IngestCallbacks;
  // Not shown anywhere, so not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #controllers = new Set<AbortController>();
  #nextKey = 1;

  constructor(client: RpcClient<EmbedMethods>, callbacks: IngestCallbacks) {
    this.#client = client;
    this.#callbacks = callbacks;
  }

  async add(files: File[]): Promise<void> {
    if (files.length === 0) return;
    const first = this.jobs.length;
    this.jobs.push(
      ...files.map((f) => ({
        key: this.#nextKey++,
        name: f.name,
        size: f.size,
        stage: 'queued' as JobStage,
        done: 0,
        total: 0,
        chunks: null,
        message: null,
      })),
    );
    // Read the proxies back: updates must go through them to be seen.
    const jobs = this.jobs.slice(first, first + files.length);
    const controller = new AbortController();
    this.#controllers.add(controller);
    const stored: Promise<void>[] = [];
    try {
      await this.#callbacks.prepare();
      if (controller.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      await this.#client.call(
        'ingest',
        {
          files: files.map((f) => ({ name: f.name, data: f })),
          chunking: this.#callbacks.chunking(),
        },
        {
          signal: controller.signal,
          onProgress: (p) => {
            const job = jobs[p.file];
            if (!job) return;
            this.#apply(job, p);
            if (p.stage === 'done') stored.push(this.#callbacks.stored(p.document));
            if (p.stage === 'failed') this.#callbacks.failed(p.error.message);
          },
        },
      );
    } catch (error) {
      if (isAbortError(error)) {
        for (const job of jobs) {
          if (!FINISHED.has(job.stage)) {
            job.stage = 'cancelled';
            job.message = 'Cancelled: not added.';
          }
        }
      } else {
        const message = error instanceof Error ? error.message : String(error);
        for (const job of jobs) {
          if (!FINISHED.has(job.stage)) {
            job.stage = 'failed';
            job.message = message;
          }
        }
        this.#callbacks.failed(
          `Could not add ${jobs.length === 1 ? `“${jobs[0]!.name}”` : `${jobs.length} files`}: ${message}`,
        );
      }
    } finally {
      this.#controllers.delete(controller);
      await Promise.allSettled(stored);
    }
  }

  /** Stops every batch: finished documents stay, the one in progress and the rest are not added. */
  cancel(): void {
    for (const controller of this.#controllers) controller.abort();
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => !FINISHED.has(j.stage));
  }

  #apply(job: FileJob, p: FileProgress): void {
    job.stage = p.stage;
    switch (p.stage) {
      case 'done':
        job.chunks = p.document.chunkCount;
        job.message = p.document.warnings.join(' ') || null;
        break;
      case 'skipped':
        job.message = p.reason;
        break;
      case 'failed':
        job.message = p.error.message;
        break;
      default:
        job.done = p.done;
        job.total = p.total;
        if (p.stage === 'embed' || p.stage === 'store') job.chunks = p.total;
    }
  }
}
