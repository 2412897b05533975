/** From the app's chat request to web-llm's, and from web-llm's chunks back to `ChatDelta`s. */

import type { ChatMessage } from '../../core/answers/chat';
import type { Sampling } from '../../core/answers/sampling';
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionRequestStreaming,
} from '@mlc-ai/web-llm';
import type { ChatDelta, FinishReason } from './engine';
import type { WebLlmModel } from '../../core/models/web-llm-catalogue';

export function chatRequest(
  messages: ChatMessage[],
  options: Sampling,
  model: WebLlmModel,
): ChatCompletionRequestStreaming {
  return {
    messages: messages.map(toMessage),
    stream: true,
    stream_options: { include_usage: true },
    temperature: options.temperature,
    top_p: options.topP,
    seed: options.seed,
    max_tokens: options.maxTokens,
    // An answer from passages needs no reasoning trace, and the trace would use up max_tokens.
    // web-llm applies this to any model, so it is sent only to those that think.
    ...(model.thinking ? { extra_body: { enable_thinking: false } } : {}),
  };
}

function toMessage({ role, content }: ChatMessage): ChatCompletionMessageParam {
  switch (role) {
    case 'system':
      return { role, content };
    case 'user':
      return { role, content };
    case 'assistant':
      return { role, content };
  }
}

/** web-llm ends with "stop", "length", "tool_calls" (never asked for here) or "abort". */
export function finishOf(reason: string | null | undefined): FinishReason | undefined {
  if (reason === null || reason === undefined) return undefined;
  if (reason === 'length' || reason === 'abort') return reason;
  return 'stop';
}

/**
 * Reads web-llm's stream: text as it comes, then one last delta with how it ended and the token
 * counts. web-llm sends the finish reason in one chunk and the usage in a later one with no
 * choices, so both are held until the stream ends.
 */
export class DeltaReader {
  #finish: FinishReason | undefined;
  #usage: ChatDelta['usage'];
  #thinking = new ThinkingFilter();

  /** The text of `chunk` to show now (possibly empty). */
  read(chunk: ChatCompletionChunk): string {
    const choice = chunk.choices[0];
    this.#finish = finishOf(choice?.finish_reason) ?? this.#finish;
    if (chunk.usage) {
      this.#usage = {
        promptTokens: chunk.usage.prompt_tokens,
        completionTokens: chunk.usage.completion_tokens,
      };
    }
    return this.#thinking.push(choice?.delta.content ?? '');
  }

  /** The last delta; `finish` overrides what web-llm said (the caller stopped it). */
  end(finish?: FinishReason): ChatDelta {
    const usage = this.#usage;
    return {
      content: this.#thinking.flush(),
      finish: finish ?? this.#finish ?? 'stop',
      ...(usage ? { usage } : {}),
    };
  }
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Drops a reasoning block at the start of an answer, "<think>…</think>" and the blank lines after
 * it. Qwen3 asked not to think still begins with an empty one. Text is held back only while it
 * could still be the start of such a block.
 */
export class ThinkingFilter {
  #held = '';
  #state: 'start' | 'inside' | 'after' | 'passing' = 'start';

  push(text: string): string {
    if (this.#state === 'passing') return text;
    this.#held += text;
    if (this.#state === 'start') {
      const trimmed = this.#held.trimStart();
      if (OPEN.startsWith(trimmed)) return '';
      if (!trimmed.startsWith(OPEN)) return this.#pass();
      this.#state = 'inside';
    }
    if (this.#state === 'inside') {
      const end = this.#held.indexOf(CLOSE);
      if (end < 0) return '';
      this.#held = this.#held.slice(end + CLOSE.length);
      this.#state = 'after';
    }
    this.#held = this.#held.trimStart();
    return this.#held ? this.#pass() : '';
  }

  /** What is still held when the stream ends: a block never closed was all reasoning. */
  flush(): string {
    if (this.#state === 'inside' || this.#state === 'after') this.#held = '';
    return this.#pass();
  }

  #pass(): string {
    const text = this.#held;
    this.#held = '';
    this.#state = 'passing';
    return text;
  }
}
