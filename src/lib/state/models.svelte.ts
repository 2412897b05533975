import { defaultModel, pickVariants, type ModelChoice } from '../core/models/model-suitability';
import { formatBytes, messageOf } from '../core/text/format';
import { GGUF_HEADER_BYTES, ggufHeaderProblem } from '../core/models/gguf-header';
import { probeDevice, type DeviceInfo } from '../engines/device';
import {
  EngineCrashedError,
  type LlmEngine,
  type LoadProgress,
  type LoadedModel,
  type ModelRef,
} from '../engines/llm/engine';
import { ggufChoices, ggufUrl, type GgufModel } from '../core/models/gguf-catalogue';
import { cachedModels, deleteCachedModel, type CachedModel } from '../engines/llm/web-llm-cache';
import { WEB_LLM_MODELS, webLlmLabel } from '../core/models/web-llm-catalogue';
import { appConfigFor } from '../engines/llm/web-llm-config';
import type { WebLlmEngine } from '../engines/llm/web-llm-engine';
import type { WllamaEngine } from '../engines/llm/wllama-engine';
import { isAbortError } from '../workers/rpc';
import { startWebLlmWorker } from '../workers/web-llm/client';
import type { Alerts } from './alerts.svelte';
import type { Settings } from './settings.svelte';

/** One line of the model list. */
export interface ModelOption {
  id: string;
  label: string;
  engine: 'web-llm' | 'wllama';
  /** Estimated download in bytes, when known. */
  downloadBytes: number | undefined;
  /** GPU memory web-llm says it needs, in MB. */
  vramMB: number | undefined;
  runnable: boolean;
  /** Why it cannot run here; empty when it can. */
  reasons: string[];
  /** Already in the browser's cache (web-llm models), with what it takes there. */
  cached: CachedModel | undefined;
}

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'failed' | 'crashed';

export interface LoadingState extends LoadProgress {
  label: string;
  /** Seconds left at the current download rate, once it can be judged. */
  secondsLeft: number | undefined;
}

/**
 * The language model: what this device can run, which one is loaded, and the engine that runs
 * it. Nothing is fetched from any host until the person loads a model.
 */
export class Models {
  device = $state.raw<DeviceInfo | null>(null);
  cached = $state.raw<CachedModel[]>([]);
  status = $state<ModelStatus>('idle');
  loading = $state.raw<LoadingState | null>(null);
  loaded = $state.raw<LoadedModel | null>(null);
  /** What went wrong with the last load, also pushed to the alerts. */
  error = $state<string | null>(null);
  /** The model picked in the list (not necessarily loaded). */
  selectedId = $state('');

  readonly #settings: Settings;
  readonly #alerts: Alerts;
  #engine: LlmEngine | null = null;
  #webLlm: Promise<WebLlmEngine> | null = null;
  #wllama: Promise<WllamaEngine> | null = null;
  #abort: AbortController | null = null;
  /** What was loaded last, so a crashed engine can be reloaded with one click. */
  #lastRef: ModelRef | null = null;

  readonly choices: ModelChoice[] = $derived.by(() => {
    const device = this.device;
    if (!device) return [];
    return pickVariants(WEB_LLM_MODELS, {
      adapter: device.adapter,
      storage: device.storage,
      ...(device.deviceMemoryGB !== undefined ? { deviceMemoryGB: device.deviceMemoryGB } : {}),
      cachedModelIds: this.cached.map((c) => c.id),
    });
  });

  readonly ggufModels: readonly GgufModel[];

  readonly options: ModelOption[] = $derived.by(() => {
    const cached = (id: string) => this.cached.find((c) => c.id === id);
    const gpu = this.choices.map((choice): ModelOption => ({
      id: choice.spec.id,
      label: webLlmLabel(choice.spec),
      engine: 'web-llm',
      downloadBytes: choice.downloadBytes,
      vramMB: choice.spec.vramMB,
      runnable: choice.assessment.runnable,
      reasons: choice.assessment.reasons,
      cached: cached(choice.spec.id),
    }));
    const cpu = this.ggufModels.map((model): ModelOption => ({
      id: model.id,
      label: model.label,
      engine: 'wllama',
      downloadBytes: model.bytes,
      vramMB: undefined,
      ...this.#storageVerdict(model.bytes),
      cached: undefined,
    }));
    return [...gpu, ...cpu];
  });

  readonly selected: ModelOption | undefined = $derived(
    this.options.find((o) => o.id === this.selectedId),
  );

  constructor(settings: Settings, alerts: Alerts) {
    this.#settings = settings;
    this.#alerts = alerts;
    this.ggufModels = ggufChoices(settings.extraGguf);
  }

  /** The engine that answers, once a model is ready. */
  get engine(): LlmEngine | null {
    return this.status === 'ready' ? this.#engine : null;
  }

  /** Reads the device and the cache (both local), and preselects a model. */
  async start(): Promise<void> {
    this.device = await probeDevice();
    await this.refreshCached();
    const saved = this.#settings.languageModel;
    if (saved && this.options.some((o) => o.id === saved)) {
      this.selectedId = saved;
    } else {
      const best = defaultModel(this.choices);
      this.selectedId = best?.spec.id ?? this.ggufModels[0]?.id ?? '';
    }
  }

  async refreshCached(): Promise<void> {
    if (!globalThis.caches) return;
    try {
      const config = appConfigFor(WEB_LLM_MODELS, this.#settings.modelSource.mirror);
      this.cached = await cachedModels(config, globalThis.caches);
    } catch {
      // The Cache API can be unavailable (private windows); the list then shows no downloads.
      this.cached = [];
    }
  }

  select(id: string): void {
    this.selectedId = id;
    this.#settings.languageModel = id;
    this.#settings.save();
  }

  /** Downloads (or reads from the cache) and starts the selected model. */
  load(id: string = this.selectedId): Promise<void> {
    const option = this.options.find((o) => o.id === id);
    if (!option) return Promise.resolve();
    if (!option.runnable) {
      this.#fail(`${option.label} cannot run here: ${option.reasons.join(' ')}`);
      return Promise.resolve();
    }
    const gguf = this.ggufModels.find((m) => m.id === id);
    const ref: ModelRef = gguf
      ? {
          kind: 'gguf-url',
          id: gguf.id,
          url: ggufUrl(gguf, this.#settings.modelSource.mirror),
          label: gguf.label,
          file: gguf.file,
          ...(gguf.bytes !== undefined ? { bytes: gguf.bytes } : {}),
          ...(gguf.sha256 ? { sha256: gguf.sha256 } : {}),
        }
      : { kind: 'web-llm', id };
    return this.#load(ref, option.label);
  }

  /**
   * Runs a GGUF file from disk with wllama; the file is read locally, never uploaded. A file that
   * is not a GGUF model is refused before the loaded model is touched.
   */
  async loadFile(file: File): Promise<void> {
    const header = new Uint8Array(await file.slice(0, GGUF_HEADER_BYTES).arrayBuffer());
    const problem = /\.gguf$/i.test(file.name)
      ? ggufHeaderProblem(header, file.size)
      : 'it is not a .gguf file';
    if (problem) {
      this.#alerts.push(
        `Could not load “${file.name}”: ${problem}. Load model file takes a complete .gguf model, such as one downloaded from Hugging Face.`,
      );
      return;
    }
    return this.#load({ kind: 'gguf-file', file }, file.name);
  }

  /** Loads again what was loaded last (after a crash or a lost GPU device). */
  reload(): Promise<void> {
    const ref = this.#lastRef;
    if (!ref) return Promise.resolve();
    const label = ref.kind === 'gguf-file' ? ref.file.name : (this.loaded?.label ?? ref.id);
    return this.#load(ref, label);
  }

  cancel(): void {
    this.#abort?.abort();
  }

  /** Deletes a downloaded web-llm model from the browser's cache, unloading it first if loaded. */
  async deleteCached(id: string): Promise<void> {
    if (!globalThis.caches) return;
    if (this.loaded?.id === id) await this.unload();
    const label = this.options.find((o) => o.id === id)?.label ?? id;
    try {
      const config = appConfigFor(WEB_LLM_MODELS, this.#settings.modelSource.mirror);
      await deleteCachedModel(id, config, globalThis.caches);
    } catch (error) {
      this.#alerts.push(
        `Could not delete ${label} from the browser's storage: ${messageOf(error)}. Reload the page and try again.`,
      );
    }
    await this.refreshCached();
    this.device = this.device ? { ...this.device, storage: await storageEstimate() } : null;
  }

  async unload(): Promise<void> {
    const engine = this.#engine;
    this.#engine = null;
    this.loaded = null;
    this.status = 'idle';
    await engine?.unload();
  }

  /** The engine failed mid-answer: it must be reloaded before it answers again. */
  crashed(error: unknown): void {
    if (!(error instanceof EngineCrashedError)) return;
    this.status = 'crashed';
    this.error = error.message;
    this.#alerts.push(error.message);
    const engine = this.#engine;
    this.#engine = null;
    engine?.unload().catch(() => {});
  }

  /**
   * Settles when no model is loading any more (ready, failed or cancelled; a load that replaced
   * another is waited for too). At once when none is loading.
   */
  async settled(): Promise<void> {
    while (this.status === 'loading') {
      await new Promise<void>((resolve) => this.#whenSettled.push(resolve));
    }
  }

  #whenSettled: (() => void)[] = [];

  async #load(ref: ModelRef, label: string): Promise<void> {
    try {
      await this.#loadOnce(ref, label);
    } finally {
      for (const resolve of this.#whenSettled.splice(0)) resolve();
    }
  }

  async #loadOnce(ref: ModelRef, label: string): Promise<void> {
    this.#abort?.abort();
    const controller = new AbortController();
    this.#abort = controller;
    this.error = null;
    this.status = 'loading';
    this.loading = {
      loaded: 0,
      total: 0,
      fraction: 0,
      text: `Starting ${label}`,
      label,
      secondsLeft: undefined,
    };
    const rate = new RateMeter();
    try {
      const engine = await this.#engineFor(ref);
      // Only one model at a time: the other engine gives its memory back first.
      if (this.#engine && this.#engine !== engine) await this.#engine.unload();
      this.#engine = null;
      this.loaded = null;
      const loaded = await engine.load(
        ref,
        (progress) => {
          if (this.#abort !== controller) return;
          this.loading = { ...progress, label, secondsLeft: rate.secondsLeft(progress) };
        },
        controller.signal,
      );
      if (this.#abort !== controller) return;
      this.#engine = engine;
      this.#lastRef = ref;
      this.loaded = loaded;
      this.status = 'ready';
    } catch (error) {
      if (this.#abort !== controller) return;
      // An engine that kept the model loaded before (wllama does) goes on answering with it.
      const kept = (await this.#engineFor(ref)).current?.() ?? null;
      this.#engine = kept ? await this.#engineFor(ref) : null;
      this.loaded = kept;
      if (isAbortError(error) || controller.signal.aborted) {
        this.status = kept ? 'ready' : 'idle';
      } else {
        this.#fail(messageOf(error), label);
        if (kept) this.status = 'ready';
      }
    } finally {
      if (this.#abort === controller) {
        this.#abort = null;
        this.loading = null;
      }
      if (ref.kind === 'web-llm') await this.refreshCached();
    }
  }

  async #engineFor(ref: ModelRef): Promise<LlmEngine> {
    if (ref.kind === 'web-llm') {
      // web-llm is a 6 MB bundle: it is fetched (from this app's origin) only when needed.
      this.#webLlm ??= import('../engines/llm/web-llm-engine').then(
        ({ WebLlmEngine }) =>
          new WebLlmEngine({
            mirror: this.#settings.modelSource.mirror,
            startWorker: startWebLlmWorker,
          }),
      );
      return this.#webLlm;
    }
    this.#wllama ??= import('../engines/llm/wllama-engine').then(
      ({ WllamaEngine }) => new WllamaEngine(),
    );
    return this.#wllama;
  }

  #storageVerdict(bytes: number | undefined): { runnable: boolean; reasons: string[] } {
    const storage = this.device?.storage;
    if (!bytes || storage?.quota === undefined) return { runnable: true, reasons: [] };
    const free = storage.quota - (storage.usage ?? 0);
    if (bytes <= free) return { runnable: true, reasons: [] };
    return {
      runnable: false,
      reasons: [
        `It needs about ${formatBytes(bytes)} of storage, but only ${formatBytes(free)} is free.`,
      ],
    };
  }

  #fail(message: string, label?: string): void {
    this.status = 'failed';
    this.error = label && !message.includes(label) ? `${label}: ${message}` : message;
    this.#alerts.push(this.error);
  }
}

/** Download rate over the last few seconds, for "time left". */
class RateMeter {
  #samples: { at: number; loaded: number }[] = [];

  secondsLeft({ loaded, total }: LoadProgress): number | undefined {
    if (!(total > 0) || loaded <= 0 || loaded >= total) return undefined;
    const now = performance.now();
    this.#samples.push({ at: now, loaded });
    while (this.#samples.length > 2 && now - this.#samples[0]!.at > 5000) this.#samples.shift();
    const first = this.#samples[0]!;
    const seconds = (now - first.at) / 1000;
    if (seconds < 1 || loaded <= first.loaded) return undefined;
    return (total - loaded) / ((loaded - first.loaded) / seconds);
  }
}

async function storageEstimate(): Promise<DeviceInfo['storage']> {
  try {
    const { quota, usage } = (await navigator.storage?.estimate?.()) ?? {};
    return { ...(quota !== undefined ? { quota } : {}), ...(usage !== undefined ? { usage } : {}) };
  } catch {
    return {};
  }
}
