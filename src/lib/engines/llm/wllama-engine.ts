import type { ChatMessage } from '../../core/answers/chat';
import { messageOf } from '../../core/text/format';
import type { Sampling } from '../../core/answers/sampling';
import {
  CacheManager,
  Model,
  ModelManager,
  Wllama,
  WllamaAbortError,
  type ChatCompletionChunk,
} from '@wllama/wllama/esm/index.js';
import wllamaWasm from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import {
  EngineCrashedError,
  ModelLoadError,
  type ChatDelta,
  type FinishReason,
  type LlmEngine,
  type LoadedModel,
  type LoadProgress,
  type ModelRef,
} from './engine';
import {
  TEMPLATE_TOKENS_PER_MESSAGE,
  TEMPLATE_TOKENS_PER_PROMPT,
  estimateLlmTokens,
} from '../../core/answers/context-budget';
import { GROUNDED_SYSTEM_PROMPT } from '../../core/answers/prompt';
import { GGUF_HEADER_BYTES, ggufHeaderProblem } from '../../core/models/gguf-header';
import { ggufLayoutProblem } from '../../core/models/gguf-layout';
import { llamaThreads } from '../../core/models/llm-models';

/**
 * Measures how the model's tokenizer compares with the app's estimate (wllama 3 has no public
 * tokenizer): a grounded prompt as sent — chat template, instructions, a passage with markdown,
 * names, figures and punctuation — counted by the model itself once, at load.
 */
const CALIBRATION_PASSAGE =
  '[1] handbook.md › 4. Leave › 4.4 Parental leave\n### 4.4 Parental leave\n' +
  'Every parent is entitled to **30 weeks** of leave at full pay; notify the People team ' +
  '(people@example.org, +44 20 7946 0958) at least 8 weeks before. | Type | Days | Paid? |\n' +
  '| --- | --- | --- |\n| Bereavement | 10 | Full pay |\nSee §4.5 — “Other leave” (rev. 2025-03-11).\n' +
  'Answer the question “How long is parental leave?” using only the passages above, and cite ' +
  'them like [1].';
/** Headroom on the measured ratio: one sample does not speak for every text. */
const CALIBRATION_MARGIN = 1.15;

/** Context asked for; a model trained on less gets its own (smaller) window. */
const PREFERRED_CONTEXT = 4096;

const quietLogger = {
  debug: () => {},
  log: () => {},
  warn: () => {},
  error: (...args: unknown[]) => console.error(...args),
};

/**
 * GGUF models with llama.cpp compiled to WebAssembly (wllama). wllama runs inference in its own
 * worker; it uses threads when the page is cross-origin isolated, and WebGPU when it can.
 */
export class WllamaEngine implements LlmEngine {
  readonly kind = 'wllama';
  #wllama: Wllama | null = null;
  #loaded: LoadedModel | null = null;
  /** What is loaded, to load it again when a newer model fails to start. */
  #ref: ModelRef | null = null;

  /**
   * Downloads and checks the new model while the loaded one keeps answering; a file that is not
   * a complete, uncorrupted GGUF is refused (and removed from the cache) before the loaded model
   * is touched. If llama.cpp then fails to start the new one, the previous model is loaded again.
   */
  async load(
    model: ModelRef,
    onProgress: (progress: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<LoadedModel> {
    if (model.kind === 'web-llm') throw new TypeError('wllama runs GGUF models only.');
    const label = model.kind === 'gguf-file' ? model.file.name : model.label;
    let source: Blob[] | Model;
    if (model.kind === 'gguf-file') {
      const problem = await blobProblem(model.file);
      if (problem) {
        throw new ModelLoadError(
          `Could not load “${label}”: ${problem}. Load model file takes a complete .gguf model, such as one downloaded from Hugging Face.`,
        );
      }
      source = [model.file];
    } else {
      source = await downloadChecked(model, onProgress, signal);
    }
    const previous = this.#ref;
    await this.unload();
    try {
      return await this.#start(model, source, label, onProgress, signal);
    } catch (error) {
      if (model.kind === 'gguf-url' && !isAbort(error, signal) && source instanceof Model) {
        // llama.cpp could not read it: the cached copy would fail the same way next time.
        await source.remove().catch(() => {});
      }
      if (previous) await this.#restore(previous);
      throw error;
    }
  }

  current(): LoadedModel | null {
    return this.#loaded;
  }

  async #start(
    model: Exclude<ModelRef, { kind: 'web-llm' }>,
    source: Blob[] | Model,
    label: string,
    onProgress: (progress: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<LoadedModel> {
    const wllama = new Wllama(
      { default: wllamaWasm },
      { logger: quietLogger, suppressNativeLog: true },
    );
    // wllama would try WebGPU whenever the browser has the API, even with no adapter behind it.
    const gpu = await hasWebGpuForLlamaCpp();
    const params = {
      n_ctx: PREFERRED_CONTEXT,
      seed: 0,
      // Used only when the page is cross-origin isolated; wllama runs one thread otherwise.
      n_threads: llamaThreads(navigator.hardwareConcurrency),
      ...(gpu ? {} : { n_gpu_layers: 0 }),
    };
    try {
      // Reading the file into llama.cpp reports no bytes: a stage, not a download.
      onProgress({
        loaded: 0,
        total: 0,
        fraction: 1,
        text: model.kind === 'gguf-file' ? `Reading ${label}` : `Starting ${label}`,
      });
      await wllama.loadModel(source, params);
    } catch (error) {
      await wllama.exit().catch(() => {});
      if (isAbort(error, signal)) {
        throw new DOMException(`Loading ${label} was cancelled.`, 'AbortError');
      }
      throw new ModelLoadError(loadErrorMessage(label, model, error));
    }
    if (signal?.aborted) {
      await wllama.exit().catch(() => {});
      throw new DOMException(`Loading ${label} was cancelled.`, 'AbortError');
    }
    const info = wllama.getLoadedContextInfo();
    const tokenScale = await measureTokenScale(wllama);
    this.#wllama = wllama;
    this.#ref = model;
    this.#loaded = {
      id: model.kind === 'gguf-file' ? `file:${model.file.name}` : model.id,
      label,
      contextWindow: Math.min(info.n_ctx, info.n_ctx_train || info.n_ctx),
      engine: 'wllama',
      backend: gpu
        ? 'WebGPU'
        : `WASM, ${wllama.getNumThreads()} thread${wllama.getNumThreads() === 1 ? '' : 's'}`,
      tokenScale,
    };
    onProgress({ loaded: 1, total: 1, fraction: 1, text: `${label} is ready` });
    return this.#loaded;
  }

  /** Loads `ref` again, from its file or wllama's cache; quietly, as it loaded before. */
  async #restore(ref: ModelRef): Promise<void> {
    if (ref.kind === 'web-llm') return;
    try {
      const source =
        ref.kind === 'gguf-file'
          ? [ref.file]
          : await new ModelManager({ logger: quietLogger }).getModelOrDownload({ url: ref.url });
      const label = ref.kind === 'gguf-file' ? ref.file.name : ref.label;
      await this.#start(ref, source, label, () => {});
    } catch {
      // Nothing loaded: the person sees no model and can load one.
    }
  }

  async *chat(
    messages: ChatMessage[],
    options: Sampling,
    signal?: AbortSignal,
  ): AsyncIterable<ChatDelta> {
    const wllama = this.#wllama;
    if (!wllama || !this.#loaded)
      throw new EngineCrashedError('No model is loaded. Load a model first.');
    if (signal?.aborted) {
      yield { content: '', finish: 'abort' };
      return;
    }
    let stream: AsyncIterable<ChatCompletionChunk>;
    let finished = false;
    try {
      stream = await wllama.createChatCompletion({
        messages,
        stream: true,
        temperature: options.temperature,
        top_p: options.topP,
        seed: options.seed,
        max_tokens: options.maxTokens,
        // Evaluating the whole prompt every time keeps an answer reproducible: reusing the cache
        // of an earlier prompt evaluates the rest in other batch shapes, whose rounding differs,
        // and at temperature 0 SmolLM2 135M then gave another answer to the same question.
        cache_prompt: false,
        // The streamed chunks carry no usage otherwise: the counts come from llama.cpp's timings.
        timings_per_token: true,
        ...(signal ? { abortSignal: signal } : {}),
      });
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const content = choice?.delta.content ?? '';
        const finish = mapFinish(choice?.finish_reason ?? null);
        const usage = chunk.usage
          ? {
              promptTokens: chunk.usage.prompt_tokens,
              completionTokens: chunk.usage.completion_tokens,
            }
          : chunk.timings
            ? {
                promptTokens: chunk.timings.cache_n + chunk.timings.prompt_n,
                completionTokens: chunk.timings.predicted_n,
              }
            : undefined;
        if (!content && !finish && !usage) continue;
        if (finish) finished = true;
        yield { content, ...(finish ? { finish } : {}), ...(usage ? { usage } : {}) };
      }
    } catch (error) {
      if (signal?.aborted || error instanceof WllamaAbortError) {
        yield { content: '', finish: 'abort' };
        return;
      }
      throw new EngineCrashedError(
        `${this.#loaded.label} stopped while answering (${messageOf(error)}). Reload the model and ask again.`,
      );
    }
    if (signal?.aborted) yield { content: '', finish: 'abort' };
    else if (!finished) yield { content: '', finish: 'stop' };
  }

  async unload(): Promise<void> {
    const wllama = this.#wllama;
    this.#wllama = null;
    this.#loaded = null;
    await wllama?.exit().catch(() => {});
  }
}

/** Prompt tokens of a sample grounded prompt ÷ their estimate, with margin; at least 1. */
async function measureTokenScale(wllama: Wllama): Promise<number> {
  try {
    const result = await wllama.createChatCompletion({
      messages: [
        { role: 'system', content: GROUNDED_SYSTEM_PROMPT },
        { role: 'user', content: CALIBRATION_PASSAGE },
      ],
      max_tokens: 1,
      temperature: 0,
    });
    const tokens = result.usage?.prompt_tokens;
    if (!tokens) return 1;
    const estimate =
      estimateLlmTokens(GROUNDED_SYSTEM_PROMPT) +
      estimateLlmTokens(CALIBRATION_PASSAGE) +
      2 * TEMPLATE_TOKENS_PER_MESSAGE +
      TEMPLATE_TOKENS_PER_PROMPT;
    return Math.max(1, (CALIBRATION_MARGIN * tokens) / estimate);
  } catch {
    return 1;
  }
}

/**
 * Whether llama.cpp's WebGPU backend can use this browser's adapter: it needs `shader-f16`.
 * On an adapter without it (Chromium's SwiftShader) wllama 3.8.1 loads with no error, but
 * llama.cpp's log shows every buffer on the CPU (model 92.10 MiB, KV cache 90 MiB for SmolLM2
 * 135M) and no WebGPU device: the model runs on the CPU, so the app says so.
 */
async function hasWebGpuForLlamaCpp(): Promise<boolean> {
  try {
    const adapter = await navigator.gpu?.requestAdapter();
    return adapter?.features.has('shader-f16') ?? false;
  } catch {
    return false;
  }
}

function mapFinish(reason: string | null): FinishReason | undefined {
  if (reason === 'length') return 'length';
  if (reason === null) return undefined;
  return 'stop';
}

/**
 * The model at `model.url`, from wllama's cache or downloaded into it, checked: a file cut short
 * or damaged is removed from the cache and refused with a message naming the model and file.
 */
async function downloadChecked(
  model: Extract<ModelRef, { kind: 'gguf-url' }>,
  onProgress: (progress: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<Model> {
  const manager = new ModelManager({ logger: quietLogger });
  const cached = (await manager.getModels()).some((m) => m.url === model.url);
  let downloaded: Model;
  try {
    downloaded = await manager.getModelOrDownload(
      { url: model.url },
      {
        ...(signal ? { signal } : {}),
        progressCallback: ({ loaded, total }) =>
          onProgress({
            loaded,
            total,
            fraction: total > 0 ? loaded / total : 0,
            text: `Downloading ${model.label}`,
          }),
      },
    );
  } catch (error) {
    // An interrupted download leaves a partial file behind: it is of no use.
    await new CacheManager().delete(model.url).catch(() => {});
    if (isAbort(error, signal)) {
      throw new DOMException(`Loading ${model.label} was cancelled.`, 'AbortError');
    }
    throw new ModelLoadError(loadErrorMessage(model.label, model, error));
  }
  const [blob] = await downloaded.open();
  onProgress({ loaded: 0, total: 0, fraction: 1, text: `Checking ${model.label}` });
  const problem = blob
    ? ((await blobProblem(blob)) ??
      (model.bytes !== undefined && blob.size !== model.bytes
        ? `it is ${blob.size.toLocaleString('en')} bytes, but the published file is ${model.bytes.toLocaleString('en')}`
        : null) ??
      // A file from the cache was checked when it was downloaded.
      (!cached && model.sha256 && (await sha256Hex(blob)) !== model.sha256
        ? 'its content differs from the published file (SHA-256 mismatch), so it is damaged or another file'
        : null))
    : 'it is missing from the browser’s storage';
  if (problem) {
    await downloaded.remove().catch(() => {});
    const host = URL.canParse(model.url) ? new URL(model.url).host : model.url;
    throw new ModelLoadError(
      `Could not load ${model.label}: the file ${fileName(model)} from ${host} is damaged — ${problem}. ` +
        'The damaged copy was removed from this browser; load the model again to download it anew, or check the file on the models= mirror.',
    );
  }
  return downloaded;
}

/** Why `blob` is not a whole GGUF model, as far as its header and tensor table tell; null if fine. */
async function blobProblem(blob: Blob): Promise<string | null> {
  const header = new Uint8Array(await blob.slice(0, GGUF_HEADER_BYTES).arrayBuffer());
  return ggufHeaderProblem(header, blob.size) ?? (await ggufLayoutProblem(blob));
}

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fileName(model: Extract<ModelRef, { kind: 'gguf-url' }>): string {
  return (
    model.file ?? decodeURIComponent(new URL(model.url).pathname.split('/').at(-1) ?? model.url)
  );
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return (
    signal?.aborted === true ||
    error instanceof WllamaAbortError ||
    (error instanceof DOMException && error.name === 'AbortError')
  );
}

function loadErrorMessage(label: string, model: ModelRef, error: unknown): string {
  const reason = messageOf(error);
  if (model.kind === 'gguf-file') {
    return `Could not load “${label}” (${reason}). Check that it is a complete GGUF model file that llama.cpp can run.`;
  }
  if (model.kind === 'gguf-url') {
    const host = URL.canParse(model.url) ? new URL(model.url).host : model.url;
    return `Could not load ${label} (${fileName(model)} from ${host}: ${reason}). Check the connection or the models= mirror, then load it again.`;
  }
  return `Could not load ${label} (${reason}).`;
}
