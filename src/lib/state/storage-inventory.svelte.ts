import { SvelteSet } from 'svelte/reactivity';
import {
  deletionProblem,
  documentFootprints,
  groupByRepo,
  type DeletionStep,
  type RepoFiles,
} from '../core/models/model-storage';
import { formatBytes, messageOf } from '../core/text/format';
import { embeddingModelSpec, EMBEDDING_MODELS } from '../core/models/embedding-catalogue';
import { ggufUrl } from '../core/models/gguf-catalogue';
import {
  clearGgufFiles,
  deleteGgufFile,
  deleteTransformersCache,
  deleteTransformersRepo,
  deleteWebLlmCaches,
  ggufFiles,
  transformersFiles,
  type GgufFile,
} from '../engines/model-files';
import { RERANKER_MODELS, rerankerModelSpec } from '../core/models/rerank-catalogue';
import type { Alerts } from './alerts.svelte';
import { busyProblem } from './busy';
import type { EmbedderState } from './embedder.svelte';
import type { Library } from './library.svelte';
import type { Models } from './models.svelte';
import type { RerankerState } from './reranker.svelte';
import type { Settings } from './settings.svelte';
import type { StorageStatus } from './storage.svelte';

/** One downloaded model, as the Storage panel lists it. */
export interface StoredModel {
  key: string;
  label: string;
  /** What it is for: "Embedding model", "Language model (GPU)", … */
  kind: string;
  bytes: number | undefined;
  /** What deleting it means when it is in use; absent when it is not. */
  inUse?: string;
  /** Deleting it unloads the language model first. */
  unloads?: boolean;
  delete: () => Promise<void>;
}

/** The parts of the app (state/app.svelte.ts) the inventory reads and acts through. */
export interface InventoryApp {
  readonly library: Library;
  readonly models: Models;
  readonly embedder: Pick<EmbedderState, 'status'>;
  readonly reranker: Pick<RerankerState, 'loading' | 'loadedModel'>;
  readonly settings: Settings;
  readonly alerts: Alerts;
  readonly storage: StorageStatus;
  /** The model the knowledge base embeds with. */
  readonly activeModelId: string;
  readonly ingest: { readonly running: boolean; clearFinished(): void };
  readonly reembedding: unknown;
  /** Its kept runs go with the documents they were run on. */
  readonly evaluation: { readonly running: boolean; cleared(): Promise<void> };
  /** Stops a question in progress, which reads the knowledge base and the language model. */
  stopQuestion(): void;
}

/**
 * What this app keeps in the browser — downloaded models, documents and their vectors — and the
 * ways to delete it: per model, per document, or everything.
 */
export class StorageInventory {
  /** transformers.js's files by repository; null until read. */
  repos = $state.raw<RepoFiles[] | null>(null);
  /** onnxruntime-web's runtime, cached by transformers.js beside the models. */
  runtimeBytes = $state(0);
  gguf = $state.raw<GgufFile[]>([]);
  /** Keys of models being deleted. */
  readonly deleting = new SvelteSet<string>();
  clearing = $state(false);
  readonly #app: InventoryApp;

  /** `app` is read only when asked, so the app can pass itself while it is being built. */
  constructor(app: InventoryApp) {
    this.#app = app;
  }

  readonly documents = $derived.by(() =>
    documentFootprints(this.#app.library.documents, this.#app.library.meta?.dimension ?? 0),
  );

  readonly documentBytes = $derived(this.documents.reduce((n, d) => n + d.bytes, 0));

  readonly models: StoredModel[] = $derived.by(() => {
    const { models, settings } = this.#app;
    const list: StoredModel[] = [];
    const embedder = this.#app.activeModelId;
    for (const repo of this.repos ?? []) {
      const isEmbedder =
        repo.repo === embedder ||
        repo.repo === settings.embeddingModel ||
        EMBEDDING_MODELS.some((m) => m.id === repo.repo);
      const isReranker =
        repo.repo === settings.rerankModel || RERANKER_MODELS.some((m) => m.id === repo.repo);
      const inUse =
        repo.repo === embedder && this.#app.library.documents.length > 0
          ? 'Your knowledge base embeds questions with it: after deleting it, the next visit ' +
            'downloads it again before it can answer (not possible offline).'
          : repo.repo === settings.rerankModel && settings.rerank
            ? 'Reranking is on: the next visit downloads it again before reranking.'
            : undefined;
      list.push({
        key: `transformers:${repo.repo}`,
        label: isReranker
          ? rerankerModelSpec(repo.repo).label
          : isEmbedder
            ? embeddingModelSpec(repo.repo).label
            : repo.repo,
        kind: isReranker ? 'Reranker' : isEmbedder ? 'Embedding model' : 'transformers.js model',
        bytes: repo.bytes,
        ...(inUse && { inUse }),
        delete: () =>
          this.#deleteOne(`transformers:${repo.repo}`, repo.repo, () =>
            deleteTransformersRepo(repo.repo),
          ),
      });
    }
    for (const cached of models.cached) {
      const label = models.options.find((o) => o.id === cached.id)?.label ?? cached.id;
      const loaded = models.loaded?.id === cached.id;
      list.push({
        key: `web-llm:${cached.id}`,
        label,
        kind: 'Language model (GPU)',
        bytes: cached.bytes,
        ...(loaded && { inUse: 'Loaded now: deleting it unloads it first.', unloads: true }),
        // Models unloads a loaded model before deleting it, and reports its own failures.
        delete: () =>
          this.#deleteOne(`web-llm:${cached.id}`, label, () => models.deleteCached(cached.id)),
      });
    }
    for (const file of this.gguf) {
      const model = models.ggufModels.find(
        (m) => file.url !== '' && ggufUrl(m, settings.modelSource.mirror) === file.url,
      );
      const label = model?.label ?? `${file.name.replace(/^[0-9a-f]{40}_/, '')} (GGUF, CPU)`;
      const loaded = model !== undefined && models.loaded?.id === model.id;
      list.push({
        key: `gguf:${file.name}`,
        label,
        kind: file.incomplete ? 'Language model (CPU), download cut off' : 'Language model (CPU)',
        bytes: file.bytes,
        ...(loaded && { inUse: 'Loaded now: deleting it unloads it first.', unloads: true }),
        delete: () =>
          this.#deleteOne(`gguf:${file.name}`, label, async () => {
            if (loaded) await models.unload();
            await deleteGgufFile(file.name);
          }),
      });
    }
    return list;
  });

  readonly modelBytes = $derived(
    this.models.reduce((n, m) => n + (m.bytes ?? 0), 0) + this.runtimeBytes,
  );

  /**
   * Changes when a model has finished loading (its files were just written to a cache) or
   * failed, or the reranker was stopped; null while any model loads.
   */
  readonly #loadsSettled = $derived.by(() => {
    const { embedder, models, reranker } = this.#app;
    const loading =
      embedder.status === 'loading' || models.status === 'loading' || reranker.loading !== null;
    return loading ? null : [embedder.status, models.status, reranker.loadedModel].join(' ');
  });

  /** Reads the caches now, and again each time loads settle; returns a stop function. */
  watch(): () => void {
    return $effect.root(() => {
      $effect(() => {
        if (this.#loadsSettled !== null) void this.refresh();
      });
    });
  }

  /** Reads every cache again, and the browser's usage. */
  async refresh(): Promise<void> {
    const { models, storage: status } = this.#app;
    const [files, gguf] = await Promise.all([
      transformersFiles().catch(() => []),
      ggufFiles().catch(() => []),
      models.refreshCached(),
      status.refresh(),
    ]);
    const { repos, other } = groupByRepo(files);
    this.repos = repos;
    this.runtimeBytes = other.reduce((n, f) => n + f.bytes, 0);
    this.gguf = gguf;
  }

  async #deleteOne(key: string, label: string, run: () => Promise<void>): Promise<void> {
    this.deleting.add(key);
    try {
      await run();
    } catch (error) {
      this.#app.alerts.push(
        `Could not delete ${label} from this browser's storage: ${messageOf(error)}. Reload the page and try again.`,
      );
    } finally {
      this.deleting.delete(key);
      await this.refresh();
    }
  }

  /** Deletes one document the way the Documents list does. */
  deleteDocument(id: string): Promise<void> {
    return this.#app.library.remove(id).finally(() => this.#app.storage.refreshSoon());
  }

  /**
   * Deletes every document with its chunks and vectors, and every downloaded model; settings are
   * kept. Each step runs even when one before it failed, and a failure is reported with what it
   * left. Resolves true when everything was deleted.
   */
  async deleteEverything(): Promise<boolean> {
    const { library, models, alerts, ingest, evaluation } = this.#app;
    const busy = busyProblem(this.#app, 'Delete everything', 'Nothing was deleted');
    if (busy) {
      alerts.push(busy);
      return false;
    }
    this.clearing = true;
    const steps: DeletionStep[] = [];
    const step = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
        steps.push({ what });
      } catch (error) {
        steps.push({ what, error: messageOf(error) });
      }
    };
    try {
      this.#app.stopQuestion();
      // A model's files cannot go while an engine downloads or holds them.
      models.cancel();
      await models.unload().catch(() => {});
      await step('the documents, their chunks and vectors, and the evaluation runs', async () => {
        await library.clear();
        await evaluation.cleared();
        // Finished files name documents that are gone: the panel goes back to its empty state.
        ingest.clearFinished();
      });
      await step('the embedding model and reranker files', () => deleteTransformersCache());
      await step('the GPU language models', () => deleteWebLlmCaches());
      await step('the CPU (GGUF) language models', () => clearGgufFiles());
    } finally {
      this.clearing = false;
      await this.refresh();
    }
    const problem = deletionProblem(steps);
    if (problem) alerts.push(problem);
    return problem === null;
  }
}

/** "12.3 MB", or "size unknown" when the browser does not say. */
export function sizeOf(bytes: number | undefined): string {
  return bytes === undefined ? 'size unknown' : formatBytes(bytes);
}
