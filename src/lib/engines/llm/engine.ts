/**
 * One interface for every local language model engine, in the shape of OpenAI chat completions
 * with streaming (both web-llm and wllama speak it).
 */

import type { ChatMessage } from '../../core/answers/chat';
import type { Sampling } from '../../core/answers/sampling';

export type FinishReason = 'stop' | 'length' | 'abort';

/** One streamed piece of an answer. The last one carries `finish` (and usage when known). */
export interface ChatDelta {
  content: string;
  finish?: FinishReason;
  usage?: { promptTokens: number; completionTokens: number };
}

export interface LoadProgress {
  /** Bytes so far and in all, when the engine reports bytes. */
  loaded: number;
  total: number;
  /** 0–1 when known. */
  fraction: number;
  /** What the engine is doing, in its words (e.g. "Loading model from cache[3/24]"). */
  text: string;
}

/** What a loaded model can do. */
export interface LoadedModel {
  id: string;
  label: string;
  /** Tokens the model can attend to: prompt and answer together. */
  contextWindow: number;
  engine: EngineKind;
  /** Where it runs, for the interface: "WebGPU", "WASM, 4 threads"… */
  backend: string;
  /**
   * When the engine cannot count tokens: how many times more tokens this model spends than the
   * app's estimate (≥ 1), measured at load so prompts are budgeted safely.
   */
  tokenScale?: number;
}

export type EngineKind = 'web-llm' | 'wllama';

/** What to load: a web-llm prebuilt model, a GGUF at a URL, or a GGUF file from disk. */
export type ModelRef =
  | { kind: 'web-llm'; id: string }
  | {
      kind: 'gguf-url';
      id: string;
      url: string;
      label: string;
      /** The file's name in its repository, for messages. */
      file?: string;
      /** Exact size and SHA-256 (hex) of the published file, when known: checked after download. */
      bytes?: number;
      sha256?: string;
    }
  | { kind: 'gguf-file'; file: File };

export interface LlmEngine {
  readonly kind: EngineKind;
  load(
    model: ModelRef,
    onProgress: (progress: LoadProgress) => void,
    signal?: AbortSignal,
  ): Promise<LoadedModel>;
  /** Streams the answer; aborting `signal` stops generation at once and ends the stream. */
  chat(messages: ChatMessage[], options: Sampling, signal?: AbortSignal): AsyncIterable<ChatDelta>;
  /** Tokens of `text` by the model's own tokenizer, when the engine can count them. */
  countTokens?(text: string): Promise<number>;
  unload(): Promise<void>;
  /** The model loaded now: after a failed `load`, the one loaded before, when the engine kept it. */
  current?(): LoadedModel | null;
}

/** A model that cannot be loaded: the message names it and says what to do. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** The engine stopped working (lost GPU device, crashed worker): the model must be reloaded. */
export class EngineCrashedError extends Error {
  override name = 'EngineCrashedError';
}
