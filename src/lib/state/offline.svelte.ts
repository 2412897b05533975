/// <reference types="vite-plugin-pwa/vanillajs" />
import { messageOf } from '../core/text/format';
import {
  offlineReadiness,
  type LanguageModelNeed,
  type OfflineReadiness,
  type ShellState,
} from '../core/web/offline-readiness';
import type { EmbeddingBackend } from '../core/models/embedding-backend';
import { embeddingModelSpec } from '../core/models/embedding-catalogue';
import { hasModelFiles, transformersCachedUrls } from '../engines/embedding/transformers-cache';
import { ggufUrl } from '../core/models/gguf-catalogue';
import { isLibraryCached, isModelCached } from '../engines/llm/web-llm-cache';
import { WEB_LLM_MODELS, findWebLlmModel, webLlmLabel } from '../core/models/web-llm-catalogue';
import { HUGGING_FACE_HUB } from '../core/models/model-source';
import { appConfigFor } from '../engines/llm/web-llm-config';
import { rerankerModelSpec } from '../core/models/rerank-catalogue';
import type { Alerts } from './alerts.svelte';
import type { EmbedderState } from './embedder.svelte';
import type { Models } from './models.svelte';
import type { RerankerState } from './reranker.svelte';
import type { Settings } from './settings.svelte';

/**
 * The caches are read again this often while the page is visible: a download lands after its
 * engine reports it, and a model can be deleted (here, in another tab, or by the browser).
 */
const RECHECK_MS = 5000;

export interface OfflineSources {
  settings: Settings;
  embedder: EmbedderState;
  models: Models;
  reranker: RerankerState;
  alerts: Alerts;
  /** The model that embeds questions: the knowledge base's, or the settings' when it is empty. */
  readonly activeModelId: string;
}

/** What to look for in the caches; `key` changes exactly when the answer may differ. */
interface Wanted {
  key: string;
  host: string;
  embedder: { id: string; label: string; backend: EmbeddingBackend | undefined };
  languageModel:
    | { kind: 'unknown' }
    | { kind: 'none' }
    | { kind: 'file'; label: string }
    | { kind: 'gguf'; label: string; url: string }
    | { kind: 'web-llm'; label: string; id: string };
  reranker: { id: string; label: string } | null;
  /** Changes when a download may have finished, so the caches are read again. */
  trigger: string;
}

interface Found {
  key: string;
  embedder: boolean;
  languageModel: boolean;
  reranker: boolean;
}

/**
 * Whether Grounded works with the network off: registers the service worker that precaches the
 * app (in builds, not on the dev server), and reads the engines' caches for the chosen models.
 */
export class OfflineState {
  shell = $state<ShellState>('checking');
  /** A new version of the app is cached and waits for a reload. */
  updateReady = $state(false);
  #found = $state.raw<Found | null>(null);
  #sources: OfflineSources;
  #updateApp: ((reload?: boolean) => Promise<void>) | null = null;
  #reloadAsked = false;
  #newVersionControls = false;
  #sequence = 0;

  readonly wanted: Wanted = $derived.by(() => this.#wanted());

  readonly readiness: OfflineReadiness = $derived.by(() => {
    const wanted = this.wanted;
    const found = this.#found?.key === wanted.key ? this.#found : null;
    const llm = wanted.languageModel;
    const languageModel: LanguageModelNeed =
      llm.kind === 'unknown' || llm.kind === 'none' || llm.kind === 'file'
        ? llm
        : { kind: 'download', label: llm.label, cached: found?.languageModel };
    return offlineReadiness({
      shell: this.shell,
      embedder: { label: wanted.embedder.label, cached: found?.embedder },
      languageModel,
      reranker: wanted.reranker && { label: wanted.reranker.label, cached: found?.reranker },
    });
  });

  constructor(sources: OfflineSources) {
    this.#sources = sources;
  }

  /** Registers the service worker and keeps the verdict current; returns a stop function. */
  start(): () => void {
    void this.#register();
    // Read the caches again whenever the chosen models change or a download may have finished.
    const stopChecking = $effect.root(() => {
      $effect(() => {
        void this.check(this.wanted);
      });
    });
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') {
        void this.check(this.wanted);
      }
    }, RECHECK_MS);
    return () => {
      clearInterval(timer);
      stopChecking();
    };
  }

  /** Reads the caches for `wanted`; a newer check supersedes an older one. */
  async check(wanted: Wanted): Promise<void> {
    const sequence = ++this.#sequence;
    const found = await findCached(wanted);
    if (sequence === this.#sequence) this.#found = found;
  }

  /** Activates the waiting version of the app and reloads the page with it. */
  async reloadForUpdate(): Promise<void> {
    this.#reloadAsked = true;
    // Another tab may have activated it already: this page then only needs reloading.
    if (this.#newVersionControls) globalThis.location.reload();
    else await this.#updateApp?.(true);
  }

  async #register(): Promise<void> {
    // The dev server (which has hot reloading) serves no service worker; every build does.
    if (import.meta.hot) {
      this.shell = 'development';
      return;
    }
    if (!globalThis.isSecureContext) {
      this.shell = 'insecure';
      return;
    }
    if (!('serviceWorker' in navigator)) {
      this.shell = 'unsupported';
      return;
    }
    this.shell = 'installing';
    const fail = (reason: string) => {
      this.shell = 'failed';
      this.#sources.alerts.push(
        `Grounded could not be kept in this browser for offline use (${reason}). It still works ` +
          'online; reload the page to try again.',
        'notice',
      );
    };
    try {
      this.#watchTakeover();
      const { registerSW } = await import('virtual:pwa-register');
      this.#updateApp = registerSW({
        immediate: true,
        onNeedRefresh: () => (this.updateReady = true),
        // Instead of the plugin reloading the page itself: see #watchTakeover.
        onNeedReload: () => {},
        onRegisteredSW: (_url, registration) => {
          const installing = registration?.installing;
          installing?.addEventListener('statechange', () => {
            // The precache could not be filled (a file failed to download, or no room).
            if (installing.state === 'redundant' && !registration?.active) {
              fail('the app files could not all be stored');
            }
          });
        },
        onRegisterError: (error: unknown) => fail(messageOf(error)),
      });
      // Resolves once a service worker is active, that is, once its precache is complete.
      await navigator.serviceWorker.ready;
      if (this.shell === 'installing') this.shell = 'ready';
    } catch (error) {
      fail(messageOf(error));
    }
  }

  /**
   * A new version took over this page (from this tab's button, or another tab's): the page
   * reloads only if the person asked for it here, so no question or answer in progress is lost.
   * The first worker taking control of a page it did not load is not a new version.
   */
  #watchTakeover(): void {
    let controlled = navigator.serviceWorker.controller !== null;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (controlled) {
        this.#newVersionControls = true;
        this.updateReady = true;
        if (this.#reloadAsked) globalThis.location.reload();
      }
      controlled = true;
    });
  }

  #wanted(): Wanted {
    const { settings, embedder, models, reranker } = this.#sources;
    const mirror = settings.modelSource.mirror;
    const host = mirror ?? HUGGING_FACE_HUB;
    const embedderId = this.#sources.activeModelId;
    const backend =
      embedder.modelId === embedderId && embedder.backend
        ? embedder.backend
        : settings.backend === 'auto'
          ? undefined
          : settings.backend;
    const loaded = models.loaded;
    const llmId = loaded?.id ?? models.selectedId;
    let languageModel: Wanted['languageModel'] = { kind: 'none' };
    // Until the model list is read, which model is chosen is not known.
    if (!models.device) languageModel = { kind: 'unknown' };
    else if (loaded && loaded.id.startsWith('file:')) {
      languageModel = { kind: 'file', label: loaded.label };
    } else if (llmId.startsWith('gguf:')) {
      const gguf = models.ggufModels.find((m) => m.id === llmId);
      if (gguf) languageModel = { kind: 'gguf', label: gguf.label, url: ggufUrl(gguf, mirror) };
    } else if (llmId) {
      const spec = findWebLlmModel(llmId);
      languageModel = { kind: 'web-llm', id: llmId, label: spec ? webLlmLabel(spec) : llmId };
    }
    const rerankerNeed = settings.rerank
      ? { id: settings.rerankModel, label: rerankerModelSpec(settings.rerankModel).label }
      : null;
    const wanted = {
      host,
      embedder: { id: embedderId, label: embeddingModelSpec(embedderId).label, backend },
      languageModel,
      reranker: rerankerNeed,
    };
    return {
      ...wanted,
      key: JSON.stringify(wanted),
      trigger: JSON.stringify([
        embedder.status,
        models.status,
        models.cached.length,
        reranker.loadedModel,
        reranker.loading !== null,
      ]),
    };
  }
}

/** Reads each engine's cache; anything unreadable counts as not cached. */
async function findCached(wanted: Wanted): Promise<Found> {
  const urls = globalThis.caches
    ? await transformersCachedUrls().catch(() => new Set<string>())
    : new Set<string>();
  const { host, embedder, reranker } = wanted;
  return {
    key: wanted.key,
    embedder: hasModelFiles(urls, host, embedder.id, embedder.backend),
    // The reranker runs on the same backend as the embedder.
    reranker: reranker !== null && hasModelFiles(urls, host, reranker.id, embedder.backend),
    languageModel: await languageModelCached(wanted).catch(() => false),
  };
}

async function languageModelCached({ host, languageModel }: Wanted): Promise<boolean> {
  if (languageModel.kind === 'gguf') {
    const { isGgufCached } = await import('../engines/llm/wllama-cache');
    return isGgufCached(languageModel.url);
  }
  if (languageModel.kind !== 'web-llm' || !globalThis.caches) return false;
  const mirror = host === HUGGING_FACE_HUB ? undefined : host;
  const record = appConfigFor(WEB_LLM_MODELS, mirror).model_list.find(
    (r) => r.model_id === languageModel.id,
  );
  return !!record && (await isModelCached(record)) && (await isLibraryCached(record));
}
