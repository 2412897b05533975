import { messageOf } from '../core/text/format';
import type { ChunkingOptions } from '../core/text/chunking';
import type { DocumentRecord } from '../core/kb/documents';
import { sha256Hex } from '../ingest/read-document';
import type {
  EmbedMethods,
  FileProgress,
  IngestFile,
  IngestStage,
} from '../workers/embed/protocol';
import { isAbortError, type RpcClient, type SerializedError } from '../workers/rpc';

export type JobStage =
  | 'queued'
  /** Another document with this name is stored: waiting for Replace, Keep both or Skip. */
  | 'conflict'
  | IngestStage
  | 'done'
  | 'skipped'
  | 'failed'
  | 'cancelled';

export type ConflictChoice = 'replace' | 'keep' | 'skip';

/** One file on its way in; its fields change as the embedding worker reports. */
export class FileJob {
  stage = $state<JobStage>('queued');
  done = $state(0);
  total = $state(0);
  /** Chunks made, once known. */
  chunks = $state<number | null>(null);
  message = $state<string | null>(null);
  /** The stored document with this file's name but other content, while the person decides. */
  conflict = $state.raw<DocumentRecord | null>(null);
  /** The stored document this file replaces, once the person chose Replace. */
  replaces: string | undefined;
  /** The document stored, once done. */
  document = $state.raw<DocumentRecord | null>(null);
  /** Listed in Ingest.attention. */
  noticed = false;

  constructor(
    readonly key: number,
    readonly file: File,
    /** Whether its failure is an alert; false when whoever started it shows it (an edit). */
    readonly alerts = true,
  ) {}

  get name(): string {
    return this.file.name;
  }

  get size(): number {
    return this.file.size;
  }
}

export interface IngestCallbacks {
  /** Resolves when the model that embeds the files is ready. */
  prepare(): Promise<unknown>;
  chunking(): ChunkingOptions;
  /** Larger files are refused. */
  maxBytes(): number;
  /** The stored document a new file of this name would be a new version of. */
  named(name: string): DocumentRecord | undefined;
  stored(document: DocumentRecord, replaced?: string): Promise<void>;
  failed(message: string): void;
  /** The browser's storage is full: `fileName` and the rest of its batch were not added. */
  storageFull(fileName: string): void;
}

const FINISHED: ReadonlySet<JobStage> = new Set(['done', 'skipped', 'failed', 'cancelled']);
const STAGES: JobStage[] = [
  'queued',
  'conflict',
  'read',
  'chunk',
  'embed',
  'store',
  'done',
  'skipped',
  'failed',
  'cancelled',
];

/** Failures of one batch alerted one by one; past these, one alert sums up the rest. */
export const ALERTS_PER_BATCH = 5;

const zeroCounts = () => Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<JobStage, number>;

/**
 * Files on their way into the knowledge base: read, chunk, embed, store. Thousands of files are
 * one request to the worker; the counts per stage are kept as jobs move, so the interface can
 * sum them up without walking every job on every step.
 */
export class Ingest {
  jobs = $state.raw<FileJob[]>([]);
  /** Jobs at each stage. */
  counts = $state(zeroCounts());
  /** The job the worker is on. */
  current = $state.raw<FileJob | null>(null);
  /** Jobs that ask for attention, in the order they did: conflicts, failures, skips. */
  attention = $state<FileJob[]>([]);
  running = $derived(
    this.counts.queued +
      this.counts.conflict +
      this.counts.read +
      this.counts.chunk +
      this.counts.embed +
      this.counts.store >
      0,
  );
  #client: RpcClient<EmbedMethods>;
  #callbacks: IngestCallbacks;
  // Not shown anywhere, so not reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #controllers = new Set<AbortController>();
  #nextKey = 1;
  /** Bumped by cancel(), so conflicts still being checked are not offered afterwards. */
  #generation = 0;

  constructor(client: RpcClient<EmbedMethods>, callbacks: IngestCallbacks) {
    this.#client = client;
    this.#callbacks = callbacks;
  }

  /**
   * Adds files. A file named like a stored document but with other content waits for the
   * person's choice (`resolve`); one with the same content goes on and is skipped by the worker.
   */
  async add(files: File[]): Promise<void> {
    if (files.length === 0) return;
    const jobs = files.map((file) => new FileJob(this.#nextKey++, file));
    this.jobs = [...this.jobs, ...jobs];
    this.counts.queued += jobs.length;
    const direct: FileJob[] = [];
    const named: [FileJob, DocumentRecord][] = [];
    for (const job of jobs) {
      const existing = this.#callbacks.named(job.name);
      if (existing) named.push([job, existing]);
      else direct.push(job);
    }
    await Promise.all([this.#run(direct), this.#checkNamed(named)]);
  }

  /**
   * Adds `file` as the new version of the stored document `replaces`, with no question asked:
   * an edited document. Its progress is listed like any file's, but a failure is not an alert
   * (the editor shows it). Resolves with its job once it has ended.
   */
  async replace(file: File, replaces: string): Promise<FileJob> {
    const job = new FileJob(this.#nextKey++, file, false);
    job.replaces = replaces;
    this.jobs = [...this.jobs, job];
    this.counts.queued++;
    await this.#run([job]);
    return job;
  }

  /** The person's answer for a file named like a stored document. */
  async resolve(job: FileJob, choice: ConflictChoice): Promise<void> {
    const existing = job.conflict;
    if (job.stage !== 'conflict' || !existing) return;
    job.conflict = null;
    if (choice === 'skip') {
      this.#setStage(job, 'skipped');
      job.message = `Skipped: the stored “${existing.name}” stays as it is.`;
      return;
    }
    if (choice === 'replace') job.replaces = existing.id;
    this.#setStage(job, 'queued');
    await this.#run([job]);
  }

  /** One answer for every file waiting for one. */
  async resolveAll(choice: ConflictChoice): Promise<void> {
    const waiting = this.attention.filter((j) => j.stage === 'conflict' && j.conflict);
    if (choice === 'skip') {
      for (const job of waiting) await this.resolve(job, 'skip');
      return;
    }
    for (const job of waiting) {
      if (choice === 'replace') job.replaces = job.conflict!.id;
      job.conflict = null;
      this.#setStage(job, 'queued');
    }
    await this.#run(waiting);
  }

  /**
   * Stops every batch: finished documents stay, the one in progress and the rest are not
   * added, and files waiting for a choice are not added either.
   */
  cancel(): void {
    this.#generation++;
    for (const controller of this.#controllers) controller.abort();
    for (const job of this.attention) {
      if (job.stage === 'conflict') this.#cancelled(job);
    }
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => !FINISHED.has(j.stage));
    this.attention = this.attention.filter((j) => !FINISHED.has(j.stage));
    if (this.current && FINISHED.has(this.current.stage)) this.current = null;
    const counts = zeroCounts();
    for (const job of this.jobs) counts[job.stage]++;
    this.counts = counts;
  }

  /** Hashes each file named like a stored document: other content is a choice to offer. */
  async #checkNamed(named: [FileJob, DocumentRecord][]): Promise<void> {
    if (named.length === 0) return;
    const generation = this.#generation;
    const same: FileJob[] = [];
    for (const [job, existing] of named) {
      let hash: string | null = null;
      try {
        hash = await sha256Hex(new Uint8Array(await job.file.arrayBuffer()));
      } catch {
        // Unreadable here: the worker will say why.
      }
      if (generation !== this.#generation) {
        this.#cancelled(job);
      } else if (hash === null || hash === existing.contentHash) {
        same.push(job);
      } else {
        job.conflict = existing;
        this.#setStage(job, 'conflict');
        this.#notice(job);
      }
    }
    await this.#run(same);
  }

  /** Sends jobs to the worker as one batch and follows them to the end. */
  async #run(jobs: FileJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const controller = new AbortController();
    this.#controllers.add(controller);
    const stored: Promise<void>[] = [];
    const alerts = { shown: 0, more: 0, storageFull: false };
    const failed = (job: FileJob, error: SerializedError) => {
      if (error.name === 'StorageFullError') {
        if (!alerts.storageFull) this.#callbacks.storageFull(job.name);
        alerts.storageFull = true;
      } else if (!job.alerts) {
        // Shown by whoever started it.
      } else if (alerts.shown < ALERTS_PER_BATCH) {
        alerts.shown++;
        this.#callbacks.failed(error.message);
      } else {
        alerts.more++;
      }
    };
    try {
      await this.#callbacks.prepare();
      if (controller.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      const files: IngestFile[] = jobs.map((job) => ({
        name: job.name,
        data: job.file,
        ...(job.replaces !== undefined && { replaces: job.replaces }),
      }));
      await this.#client.call(
        'ingest',
        { files, chunking: this.#callbacks.chunking(), maxBytes: this.#callbacks.maxBytes() },
        {
          signal: controller.signal,
          onProgress: (p) => {
            const job = jobs[p.file];
            if (!job) return;
            this.#apply(job, p);
            if (p.stage === 'done') stored.push(this.#callbacks.stored(p.document, p.replaced));
            if (p.stage === 'failed') failed(job, p.error);
          },
        },
      );
    } catch (error) {
      if (isAbortError(error)) {
        for (const job of jobs) if (!FINISHED.has(job.stage)) this.#cancelled(job);
      } else {
        const message = messageOf(error);
        const unfinished = jobs.filter((job) => !FINISHED.has(job.stage));
        for (const job of unfinished) {
          this.#setStage(job, 'failed');
          job.message = message;
        }
        if ((error as { name?: unknown } | null)?.name === 'StorageFullError') {
          // Not even the pending records fitted: nothing of the batch was stored.
          if (!alerts.storageFull && unfinished[0]) this.#callbacks.storageFull(unfinished[0].name);
        } else if (jobs.some((job) => job.alerts)) {
          this.#callbacks.failed(
            `Could not add ${jobs.length === 1 ? `“${jobs[0]!.name}”` : `${jobs.length} files`}: ${message}`,
          );
        }
      }
    } finally {
      this.#controllers.delete(controller);
      if (alerts.more > 0) {
        this.#callbacks.failed(
          `${alerts.more} more ${alerts.more === 1 ? 'file' : 'files'} could not be added; ` +
            'the list under Adding says why for each.',
        );
      }
      await Promise.allSettled(stored);
    }
  }

  #setStage(job: FileJob, stage: JobStage): void {
    if (job.stage === stage) return;
    this.counts[job.stage]--;
    this.counts[stage]++;
    job.stage = stage;
    if (FINISHED.has(stage)) {
      if (this.current === job) this.current = null;
      if (stage === 'failed' || stage === 'skipped') this.#notice(job);
    } else if (stage !== 'queued' && stage !== 'conflict') {
      this.current = job;
    }
  }

  #notice(job: FileJob): void {
    if (job.noticed) return;
    job.noticed = true;
    this.attention.push(job);
  }

  #cancelled(job: FileJob): void {
    job.conflict = null;
    this.#setStage(job, 'cancelled');
    job.message = 'Cancelled: not added.';
  }

  #apply(job: FileJob, p: FileProgress): void {
    switch (p.stage) {
      case 'done':
        job.document = p.document;
        job.chunks = p.document.chunkCount;
        job.message =
          [p.replaced !== undefined ? 'Replaced the earlier version.' : '', ...p.document.warnings]
            .filter(Boolean)
            .join(' ') || null;
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
    this.#setStage(job, p.stage);
  }
}
