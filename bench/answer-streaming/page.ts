/**
 * The answer-streaming benchmark page: the same greedy generation, raw from wllama and through
 * the app's path (WllamaEngine → Answers → AnswerPane state → the rendered pane), in one page.
 */
import { mount, unmount } from 'svelte';
import { Wllama } from '@wllama/wllama/esm/index.js';
import wllamaWasm from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { Passage } from '../../src/lib/core/kb/documents';
import { WllamaEngine } from '../../src/lib/engines/llm/wllama-engine';
import { Answers } from '../../src/lib/state/answers.svelte';
import AnswerPaneView from '../../src/lib/ui/answers/AnswerPane.svelte';

export interface Run {
  /** raw: wllama alone; state: the app without drawing; app: the app, drawn. */
  path: 'raw' | 'state' | 'app';
  tokens: number;
  tokensPerSecond: number;
}

const quiet = { debug() {}, log() {}, warn() {}, error: console.error };

function passages(texts: string[]): Passage[] {
  return texts.map((text, i) => ({
    rank: i + 1,
    score: 1 - i / 10,
    docId: `d${i}`,
    docName: `doc-${i + 1}.md`,
    ordinal: 0,
    chunkCount: 1,
    start: 0,
    end: text.length,
    headingPath: [],
    text,
  }));
}

async function bench(modelUrl: string, rounds: number, texts: string[]): Promise<Run[]> {
  const model = new File([await (await fetch(modelUrl)).blob()], 'model.gguf');
  const engine = new WllamaEngine();
  const loaded = await engine.load({ kind: 'gguf-file', file: model }, () => {});
  const raw = new Wllama({ default: wllamaWasm }, { logger: quiet, suppressNativeLog: true });
  await raw.loadModel([model], { n_ctx: 4096, seed: 0 });

  const answers = new Answers((error) => {
    throw error;
  });
  const target = document.createElement('div');
  document.body.append(target);

  const sampling = { temperature: 0, topP: 1, seed: 1, maxTokens: 256 };
  const request = {
    question: 'What happens in the story?',
    passages: passages(texts),
    retrievalMs: 0,
    engine,
    model: loaded,
    sampling,
  };
  const viaApp = async (drawn = true): Promise<Run> => {
    const view = drawn
      ? mount(AnswerPaneView, {
          target,
          props: { pane: answers.grounded, title: 'Grounded answer' },
        })
      : null;
    await answers.run(request);
    const m = answers.grounded.metrics!;
    if (view) await unmount(view);
    return {
      path: drawn ? 'app' : 'state',
      tokens: m.tokens,
      tokensPerSecond: m.tokensPerSecond ?? 0,
    };
  };
  await viaApp(); // warm-up, and the prompt the raw path sends
  const messages = answers.grounded.budget!.messages;
  const maxTokens = Math.min(
    answers.grounded.budget!.parts.answer,
    answers.ungrounded.budget!.parts.answer,
  );
  const viaRaw = async (): Promise<Run> => {
    const stream = await raw.createChatCompletion({
      messages,
      stream: true,
      temperature: 0,
      top_p: 1,
      seed: 1,
      max_tokens: maxTokens,
    });
    let tokens = 0;
    let first = 0;
    for await (const chunk of stream) {
      if (!chunk.choices[0]?.delta.content) continue;
      if (tokens === 0) first = performance.now();
      tokens++;
    }
    const seconds = (performance.now() - first) / 1000;
    return { path: 'raw', tokens, tokensPerSecond: tokens > 1 ? (tokens - 1) / seconds : 0 };
  };
  const runs: Run[] = [];
  // Rotate the order each round, so drift in the machine's speed hits every path alike.
  const order = [viaRaw, () => viaApp(false), () => viaApp(true)];
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < order.length; j++) runs.push(await order[(i + j) % order.length]!());
  }
  await engine.unload();
  await raw.exit();
  return runs;
}

(window as unknown as { bench: typeof bench }).bench = bench;
document.title = 'ready';
