import type { ChatMessage } from '../../core/answers/chat';
import type { Sampling } from '../../core/answers/sampling';
import { WebWorkerMLCEngine, type AppConfig, type ChatCompletionChunk } from '@mlc-ai/web-llm';
import {
  EngineCrashedError,
  ModelLoadError,
  type ChatDelta,
  type LlmEngine,
  type LoadedModel,
  type LoadProgress,
  type ModelRef,
} from './engine';
import { deleteCachedModel, isModelCached } from './web-llm-cache';
import { appConfigFor } from './web-llm-config';
import {
  WEB_LLM_MODELS,
  findWebLlmModel,
  webLlmLabel,
  type WebLlmModel,
} from '../../core/models/web-llm-catalogue';
import { WorkerStoppedError, chatError, loadError } from './web-llm-errors';
import { backendFrom, toLoadProgress } from './web-llm-progress';
import { DeltaReader, chatRequest } from './web-llm-stream';

/** The part of a `Worker` the engine uses (tests pass a fake that speaks web-llm's protocol). */
export interface WebLlmWorker {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

export interface WebLlmEngineOptions {
  /** The `models=` mirror; undefined for the Hugging Face hub and GitHub. */
  mirror?: string | undefined;
  models?: readonly WebLlmModel[];
  /** Starts a worker running web-llm's handler (the app's is `workers/web-llm/client.ts`). */
  startWorker: () => WebLlmWorker;
  /** Where web-llm keeps downloads; undefined where there is no Cache API (insecure pages). */
  storage?: CacheStorage | undefined;
}

/** A loaded model: web-llm's client, the worker it talks to, and how that worker ends. */
interface Session {
  worker: WebLlmWorker;
  engine: WebWorkerMLCEngine;
  model: WebLlmModel;
  loaded: LoadedModel;
  /** Rejects when the worker dies (WorkerStoppedError) or is unloaded (UNLOADED). */
  ended: Promise<never>;
  end(reason: unknown): void;
}

interface PendingLoad {
  controller: AbortController;
  settled: Promise<void>;
}

const ABORTED = Symbol('aborted');
const UNLOADED = Symbol('unloaded');
const ignore = () => {};

/**
 * web-llm's prebuilt MLC models on WebGPU. web-llm runs in its own worker, one per loaded model:
 * terminating the worker is the only way to stop a download (web-llm 0.2.86 has no abort for
 * `reload` across the worker boundary) and the surest way to give the GPU memory back.
 *
 * No `countTokens`: web-llm 0.2.86's `WebWorkerMLCEngine` does not expose the tokenizer, so the
 * app estimates; each answer's usage still reports the exact prompt and answer token counts.
 */
export class WebLlmEngine implements LlmEngine {
  readonly kind = 'web-llm';
  readonly appConfig: AppConfig;
  readonly #models: readonly WebLlmModel[];
  readonly #startWorker: () => WebLlmWorker;
  readonly #storage: CacheStorage | undefined;
  #session: Session | null = null;
  #pending: PendingLoad | null = null;

  constructor({
    mirror,
    models = WEB_LLM_MODELS,
    startWorker,
    storage = globalThis.caches,
  }: WebLlmEngineOptions) {
    this.#models = models;
    this.#startWorker = startWorker;
    this.#storage = storage;
    this.appConfig = appConfigFor(models, mirror);
  }

  /** Loads `ref`; a newer `load` or `unload` cancels this one, as `signal` does. */
  async load(
    ref: ModelRef,
    onProgress: (progress: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<LoadedModel> {
    const controller = new AbortController();
    const previous = this.#pending;
    const run = (async () => {
      await this.#settle(previous);
      this.#closeSession();
      const stop = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
      return this.#load(ref, onProgress, stop);
    })();
    const pending = { controller, settled: run.then(ignore, ignore) };
    this.#pending = pending;
    try {
      return await run;
    } finally {
      if (this.#pending === pending) this.#pending = null;
    }
  }

  async #load(
    ref: ModelRef,
    onProgress: (progress: LoadProgress) => void,
    signal: AbortSignal,
  ): Promise<LoadedModel> {
    if (ref.kind !== 'web-llm') throw new TypeError('web-llm runs its prebuilt models only.');
    const model = findWebLlmModel(ref.id, this.#models);
    if (!model) {
      throw new ModelLoadError(
        `${ref.id} is not one of the web-llm models this app offers. Pick a model from the list.`,
      );
    }
    const label = webLlmLabel(model);
    const cancelled = () => new DOMException(`Loading ${label} was cancelled.`, 'AbortError');
    if (signal.aborted) throw cancelled();
    // A model that was whole in the cache stays there whatever happens next.
    const wasCached = await this.#isCached(model.id);
    if (signal.aborted) throw cancelled();

    const worker = this.#startWorker();
    const { ended, end } = watch(worker);
    let lastReport = '';
    const engine = new WebWorkerMLCEngine(worker, {
      appConfig: this.appConfig,
      initProgressCallback: (report) => {
        lastReport = report.text;
        onProgress(toLoadProgress(report));
      },
    });
    const aborted = abortion(signal);
    try {
      await Promise.race([engine.reload(model.id), ended, aborted.promise]);
    } catch (error) {
      end(UNLOADED);
      worker.terminate();
      // web-llm keeps each file that arrived whole (config, library, tokenizer, some weight
      // shards); a model with only some of its files would look downloaded to nobody and
      // still take the space, so they go.
      if (!wasCached) await this.#forget(model.id);
      if (signal.aborted) throw cancelled();
      throw loadError(model, this.#hosts(model.id), error);
    } finally {
      aborted.dispose();
    }
    if (signal.aborted) {
      end(UNLOADED);
      worker.terminate();
      throw cancelled();
    }
    const loaded: LoadedModel = {
      id: model.id,
      label,
      contextWindow: model.contextWindow,
      engine: 'web-llm',
      backend: backendFrom(lastReport) ?? 'WebGPU',
    };
    this.#session = { worker, engine, model, loaded, ended, end };
    return loaded;
  }

  async *chat(
    messages: ChatMessage[],
    options: Sampling,
    signal?: AbortSignal,
  ): AsyncIterable<ChatDelta> {
    const session = this.#session;
    if (!session) throw new EngineCrashedError('No web-llm model is loaded. Load a model first.');
    if (signal?.aborted) {
      yield { content: '', finish: 'abort' };
      return;
    }
    const reader = new DeltaReader();
    const aborted = abortion(signal);
    const race = <T>(work: Promise<T>) => Promise.race([work, session.ended, aborted.promise]);
    const created = session.engine.chat.completions.create(
      chatRequest(messages, options, session.model),
    );
    let chunks: AsyncIterator<ChatCompletionChunk> | undefined;
    let finished = false;
    try {
      chunks = (await race(created))[Symbol.asyncIterator]();
      for (;;) {
        const next = await race(chunks.next());
        if (next.done) break;
        const content = reader.read(next.value);
        if (content) yield { content };
      }
      finished = true;
      yield reader.end();
    } catch (error) {
      if (error === ABORTED || error === UNLOADED || signal?.aborted) {
        yield reader.end('abort');
        return;
      }
      const failure = chatError(session.loaded.label, error);
      if (failure instanceof EngineCrashedError && this.#session === session) this.#closeSession();
      throw failure;
    } finally {
      aborted.dispose();
      if (!finished) stopGenerating(session, created, chunks);
    }
  }

  async unload(): Promise<void> {
    const pending = this.#pending;
    await this.#settle(pending);
    this.#closeSession();
  }

  async #settle(pending: PendingLoad | null): Promise<void> {
    if (!pending) return;
    pending.controller.abort();
    await pending.settled;
  }

  #closeSession(): void {
    const session = this.#session;
    this.#session = null;
    if (!session) return;
    session.end(UNLOADED);
    session.worker.terminate();
  }

  async #isCached(modelId: string): Promise<boolean> {
    const record = this.appConfig.model_list.find((r) => r.model_id === modelId);
    if (!record || !this.#storage) return false;
    return isModelCached(record, this.#storage).catch(() => false);
  }

  async #forget(modelId: string): Promise<void> {
    if (!this.#storage) return;
    await deleteCachedModel(modelId, this.appConfig, this.#storage).catch((error: unknown) =>
      console.warn(`Could not remove the partly downloaded ${modelId} from the cache`, error),
    );
  }

  /** Where the model's files come from, for messages: "huggingface.co and raw.githubusercontent.com". */
  #hosts(modelId: string): string {
    const record = this.appConfig.model_list.find((r) => r.model_id === modelId)!;
    const hosts = new Set([record.model, record.model_lib].map((url) => new URL(url).host));
    return [...hosts].join(' and ');
  }
}

/** `ended` rejects once the worker reports an error (it is then of no further use) or `end` is called. */
function watch(worker: WebLlmWorker): Pick<Session, 'ended' | 'end'> {
  let end: (reason: unknown) => void = ignore;
  const ended = new Promise<never>((_, reject) => {
    end = reject;
  });
  // Raced by whoever waits on the worker; an end nobody waits for is not an error.
  ended.catch(ignore);
  worker.addEventListener('error', (event) => {
    const message = 'message' in event && typeof event.message === 'string' ? event.message : '';
    end(new WorkerStoppedError(message || 'the worker stopped unexpectedly'));
  });
  worker.addEventListener('messageerror', () => {
    end(new WorkerStoppedError('a message from the worker could not be read'));
  });
  return { ended, end };
}

/** A promise that rejects with ABORTED when `signal` aborts; dispose once it is not needed. */
function abortion(signal: AbortSignal | undefined): {
  promise: Promise<never>;
  dispose: () => void;
} {
  let dispose = ignore;
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    const onAbort = () => reject(ABORTED);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  promise.catch(ignore);
  return { promise, dispose };
}

/**
 * Stops an answer that is no longer wanted. The worker generates one token per chunk asked for,
 * so closing the stream stops it; `interruptGenerate` also ends a step under way. A stream not
 * yet created is closed as soon as it is.
 */
function stopGenerating(
  session: Session,
  created: Promise<AsyncIterable<ChatCompletionChunk>>,
  chunks: AsyncIterator<ChatCompletionChunk> | undefined,
): void {
  session.engine.interruptGenerate();
  const closing = chunks
    ? chunks.return?.()
    : created.then((stream) => stream[Symbol.asyncIterator]().return?.());
  void closing?.catch(ignore);
}
