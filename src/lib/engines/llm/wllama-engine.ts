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
import {
  TEMPLATE_TOKENS_PER_MESSAGE,
  TEMPLATE_TOKENS_PER_PROMPT,
  estimateLlmTokens,
} from '../../core/context-budget';
import { GROUNDED_SYSTEM_PROMPT } from '../../core/prompt';
import { GGUF_HEADER_BYTES, ggufHeaderProblem } from '../../core/gguf-header';

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
  'Answer from the passages above, citing them like [1].\nQuestion: How long is parental leave?';
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
    // wllama would try WebGPU whenever the browser has the API, even with no adapter behind it.
    const gpu = await hasWebGpuAdapter();
    const params = { n_ctx: PREFERRED_CONTEXT, seed: 0, ...(gpu ? {} : { n_gpu_layers: 0 }) };
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
      backend: gpu
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
        // Evaluating the whole prompt every time keeps an answer reproducible: reusing the cache
        // of an earlier prompt evaluates the rest in other batch shapes, whose rounding differs,
        // and at temperature 0 SmolLM2 135M then gave another answer to the same question.
        cache_prompt: false,
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

async function hasWebGpuAdapter(): Promise<boolean> {
  try {
    return (await navigator.gpu?.requestAdapter()) != null;
  } catch {
    return false;
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
