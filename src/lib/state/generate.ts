import type { ChatMessage } from '../core/answers/chat';
import type { Sampling } from '../core/answers/sampling';
import type { FinishReason, LlmEngine } from '../engines/llm/engine';

/** One reply of the engine, read to its end, and how long it took. */
export interface Generated {
  text: string;
  /** How the engine said it ended; null when it did not say (or failed). */
  finish: FinishReason | null;
  /** From sending the prompt to the first text; null when none came. */
  firstTokenMs: number | null;
  /** As the engine counted them when it said, otherwise the streamed pieces. */
  tokens: number;
  /** The prompt's tokens as the model counted them, when the engine says. */
  promptTokens?: number;
  /** Tokens after the first, over the time they took: the generation rate. */
  tokensPerSecond: number | null;
  totalMs: number;
  /** Set when the engine failed (or stopped by throwing once `signal` aborted). */
  error?: unknown;
}

/**
 * Sends `messages` and reads the reply to its end, handing each piece of text to `onText` as it
 * comes. Never throws: an engine failure is returned in `error`, with what came before it.
 * Ask's answers and the evaluation both generate through this, so they measure alike.
 */
export async function generate(
  engine: LlmEngine,
  messages: ChatMessage[],
  options: Sampling,
  signal: AbortSignal,
  onText: (delta: string) => void = () => {},
): Promise<Generated> {
  const started = performance.now();
  let firstAt: number | null = null;
  let chunks = 0;
  let text = '';
  let finish: FinishReason | null = null;
  let usage: { promptTokens: number; completionTokens: number } | undefined;
  let error: unknown;
  try {
    for await (const delta of engine.chat(messages, options, signal)) {
      if (delta.content) {
        firstAt ??= performance.now();
        chunks++;
        text += delta.content;
        onText(delta.content);
      }
      if (delta.usage) usage = delta.usage;
      if (delta.finish) finish = delta.finish;
    }
  } catch (caught) {
    error = caught ?? new Error('The language model failed.');
  }
  const now = performance.now();
  const tokens = usage?.completionTokens ?? chunks;
  const generating = firstAt === null ? 0 : (now - firstAt) / 1000;
  return {
    text,
    finish,
    firstTokenMs: firstAt === null ? null : firstAt - started,
    tokens,
    ...(usage ? { promptTokens: usage.promptTokens } : {}),
    tokensPerSecond: tokens > 1 && generating > 0 ? (tokens - 1) / generating : null,
    totalMs: now - started,
    ...(error !== undefined ? { error } : {}),
  };
}
