import { Wllama, WllamaAbortError, type ChatCompletionChunk } from '@wllama/wllama/esm/index.js';
import wllamaWasm from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import {
  EngineCrashedError,
  ModelLoadError,
  type ChatDelta,
  type ChatMessage,
  type FinishReason,
  type LlmEngine,
  type LoadedModel,
  type LoadProgress,
  type ModelRef,
  type SamplingOptions,
} from './engine';
import { estimateLlmTokens } from '../../core/context-budget';
import { GGUF_HEADER_BYTES, ggufHeaderProblem } from '../../core/gguf-header';

/**
 * Measures how the model's tokenizer compares with the app's estimate (wllama 3 has no public
 * tokenizer): prose with names, figures and punctuation, like the documents people drop.
 */
const CALIBRATION_TEXT =
  'Section 4.2 — Returns: customers may return a Marrowby T-400 tuner within 30 days ' +
  '(receipt required; 15% restocking fee after 14 days). Contact support@example.org or call ' +
  '+44 20 7946 0958, Monday–Friday 09:00–17:30.';

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

  async load(
    model: ModelRef,
    onProgress: (progress: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<LoadedModel> {
    if (model.kind === 'web-llm') throw new TypeError('wllama runs GGUF models only.');
    await this.unload();
    const wllama = new Wllama(
      { default: wllamaWasm },
      { logger: quietLogger, suppressNativeLog: true },
    );
    const label = model.kind === 'gguf-file' ? model.file.name : model.label;
    if (model.kind === 'gguf-file') {
      const header = new Uint8Array(await model.file.slice(0, GGUF_HEADER_BYTES).arrayBuffer());
      const problem = ggufHeaderProblem(header, model.file.size);
      if (problem) {
        throw new ModelLoadError(
          `Could not load “${label}”: ${problem}. Load model file takes a complete .gguf model, such as one downloaded from Hugging Face.`,
        );
      }
    }
    const params = { n_ctx: PREFERRED_CONTEXT, seed: 0 };
    try {
      if (model.kind === 'gguf-file') {
        // A local file: nothing to download, so progress is all-or-nothing.
        onProgress({ loaded: 0, total: model.file.size, fraction: 0, text: `Reading ${label}` });
        await wllama.loadModel([model.file], params);
      } else {
        await wllama.loadModelFromUrl(model.url, {
          ...params,
          ...(signal ? { signal } : {}),
          progressCallback: ({ loaded, total }) =>
            onProgress({
              loaded,
              total,
              fraction: total > 0 ? loaded / total : 0,
              text: `Downloading ${label}`,
            }),
        });
      }
    } catch (error) {
      await wllama.exit().catch(() => {});
      if (signal?.aborted || error instanceof WllamaAbortError) {
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
    this.#loaded = {
      id: model.kind === 'gguf-file' ? `file:${model.file.name}` : model.id,
      label,
      contextWindow: Math.min(info.n_ctx, info.n_ctx_train || info.n_ctx),
      engine: 'wllama',
      backend: wllama.isSupportWebGPU()
        ? 'WebGPU'
        : `WASM, ${wllama.getNumThreads()} thread${wllama.getNumThreads() === 1 ? '' : 's'}`,
      tokenScale,
    };
    onProgress({ loaded: 1, total: 1, fraction: 1, text: `${label} is ready` });
    return this.#loaded;
  }

  async *chat(
    messages: ChatMessage[],
    options: SamplingOptions,
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
        `${this.#loaded.label} stopped while answering (${error instanceof Error ? error.message : String(error)}). Reload the model and ask again.`,
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

/** Prompt tokens of the calibration text ÷ the estimate, at least 1; 1 if it cannot be measured. */
async function measureTokenScale(wllama: Wllama): Promise<number> {
  try {
    const result = await wllama.createCompletion({
      prompt: CALIBRATION_TEXT,
      max_tokens: 1,
      temperature: 0,
    });
    const tokens = result.usage?.prompt_tokens;
    if (!tokens) return 1;
    return Math.max(1, tokens / estimateLlmTokens(CALIBRATION_TEXT));
  } catch {
    return 1;
  }
}

function mapFinish(reason: string | null): FinishReason | undefined {
  if (reason === 'length') return 'length';
  if (reason === null) return undefined;
  return 'stop';
}

function loadErrorMessage(label: string, model: ModelRef, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  if (model.kind === 'gguf-file') {
    return `Could not load “${label}” (${reason}). Check that it is a complete GGUF model file that llama.cpp can run.`;
  }
  if (model.kind === 'gguf-url') {
    const host = URL.canParse(model.url) ? new URL(model.url).host : model.url;
    return `Could not download ${label} from ${host} (${reason}). Check the connection or the models= mirror, then try again.`;
  }
  return `Could not load ${label} (${reason}).`;
}
