/**
 * For state tests: an engine that streams scripted answers, the model it says it loaded, and
 * retrieved passages to answer from.
 */
import type { ChatMessage } from '../core/answers/chat';
import type { Sampling } from '../core/answers/sampling';
import type { Passage } from '../core/kb/documents';
import type { ChatDelta, LlmEngine, LoadedModel } from '../engines/llm/engine';

/** An engine that streams scripted answers a piece at a time, and records what it was asked. */
export class ScriptedEngine implements LlmEngine {
  readonly kind = 'wllama';
  calls: { messages: ChatMessage[]; options: Sampling; aborted: () => boolean }[] = [];
  running = 0;
  maxRunning = 0;
  constructor(
    private script: (call: number) => string[] | Error,
    private delayMs = 2,
  ) {}
  async load(): Promise<LoadedModel> {
    return MODEL;
  }
  async unload(): Promise<void> {}
  async *chat(
    messages: ChatMessage[],
    options: Sampling,
    signal?: AbortSignal,
  ): AsyncIterable<ChatDelta> {
    const call = this.calls.length;
    this.calls.push({ messages, options, aborted: () => signal?.aborted ?? false });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      const pieces = this.script(call);
      if (pieces instanceof Error) throw pieces;
      for (const content of pieces) {
        await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        if (signal?.aborted) {
          yield { content: '', finish: 'abort' };
          return;
        }
        yield { content };
      }
      yield {
        content: '',
        finish: 'stop',
        usage: { promptTokens: 10, completionTokens: pieces.length },
      };
    } finally {
      this.running--;
    }
  }
}

export const MODEL: LoadedModel = {
  id: 'test',
  label: 'Test model',
  contextWindow: 4096,
  engine: 'wllama',
  backend: 'WASM',
};

export function passages(n: number): Passage[] {
  return Array.from({ length: n }, (_, i) => ({
    rank: i + 1,
    score: 0.9 - i / 10,
    docId: `d${i}`,
    docName: `doc-${i + 1}.md`,
    ordinal: i,
    chunkCount: 10,
    start: 0,
    end: 10,
    headingPath: [],
    text: `Passage text ${i + 1}.`,
  }));
}
