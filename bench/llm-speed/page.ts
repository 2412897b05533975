/**
 * The language model speed page: wllama (WASM, CPU) timed as llama-bench times native llama.cpp —
 * prefill of a ~512-token prompt and decode of 128 tokens — with wllama's own timings (llama.cpp's
 * server code inside wllama counts the tokens and times the prompt and the generation).
 */
import { Wllama, type ChatCompletionMessage } from '@wllama/wllama/esm/index.js';
import type { ResultTimings } from '@wllama/wllama/esm/types/oai-compat';
import wllamaWasm from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { KeywordIndex } from '../../src/lib/core/retrieval/bm25';
import { chunkDocument } from '../../src/lib/core/text/chunking';
import type { DocumentFormat } from '../../src/lib/core/text/document-format';
import { groundedMessages } from '../../src/lib/core/answers/prompt';

export interface Loaded {
  threads: number;
  multithread: boolean;
  nCtx: number;
  nBatch: number;
  nUbatch: number;
  version: string;
}

export interface Timed {
  promptTokens: number;
  cachedTokens: number;
  promptMs: number;
  promptPerSecond: number;
  predicted: number;
  predictedPerSecond: number;
  /** From sending the request to the first streamed text. */
  firstTextMs: number | null;
}

const quiet = { debug() {}, log() {}, warn() {}, error: console.error };
let wllama: Wllama | null = null;

/** Loads `url` on the CPU with `threads` threads (wllama falls back to 1 without isolation). */
async function load(url: string, threads: number): Promise<Loaded> {
  await unload();
  const file = new File([await (await fetch(url)).blob()], url.split('/').at(-1) ?? 'model.gguf');
  wllama = new Wllama({ default: wllamaWasm }, { logger: quiet, suppressNativeLog: true });
  // The app's context size; llama-bench's batch sizes and flash attention (auto) are wllama's too.
  await wllama.loadModel([file], { n_ctx: 4096, seed: 0, n_gpu_layers: 0, n_threads: threads });
  const info = wllama.getLoadedContextInfo();
  return {
    threads: wllama.getNumThreads(),
    multithread: wllama.isMultithread(),
    nCtx: info.n_ctx,
    nBatch: info.n_batch,
    nUbatch: info.n_ubatch,
    version: Wllama.getLibllamaVersion(),
  };
}

async function unload(): Promise<void> {
  await wllama?.exit();
  wllama = null;
}

function timed(t: ResultTimings | undefined, firstTextMs: number | null): Timed {
  if (!t) throw new Error('wllama returned no timings');
  return {
    promptTokens: t.prompt_n,
    cachedTokens: t.cache_n,
    promptMs: t.prompt_ms,
    promptPerSecond: t.prompt_per_second,
    predicted: t.predicted_n,
    predictedPerSecond: t.predicted_per_second,
    firstTextMs,
  };
}

/**
 * A raw completion of `prompt`: `tokens` greedy tokens, never stopping early (as llama-bench's
 * generation), with the prompt cache on or off.
 */
async function complete(prompt: string, tokens: number, cache: boolean): Promise<Timed> {
  if (!wllama) throw new Error('No model loaded');
  const result = await wllama.createCompletion({
    prompt,
    max_tokens: tokens,
    temperature: 0,
    ignore_eos: true,
    ...({ cache_prompt: cache } as object),
  });
  return timed(result.timings, null);
}

/** A streamed chat completion, as the app sends a grounded prompt; times the first text. */
async function chat(
  messages: ChatCompletionMessage[],
  tokens: number,
  cache: boolean,
): Promise<Timed> {
  if (!wllama) throw new Error('No model loaded');
  const started = performance.now();
  let first: number | null = null;
  let last: ResultTimings | undefined;
  const stream = await wllama.createChatCompletion({
    messages,
    stream: true,
    max_tokens: tokens,
    temperature: 0,
    cache_prompt: cache,
  });
  for await (const chunk of stream) {
    if (first === null && chunk.choices[0]?.delta.content) first = performance.now() - started;
    if (chunk.timings) last = chunk.timings;
  }
  return timed(last, first);
}

export interface Sample {
  name: string;
  text: string;
  format: DocumentFormat;
}

/**
 * The grounded prompt the app would send for each question, from the sample corpus chunked with
 * the app's chunker at `targetTokens` and the `topK` best chunks by the app's BM25 (the app's
 * default, hybrid search, needs the embedder; passage sizes, which set the prompt's length, are
 * the same).
 */
function groundedPrompts(
  samples: Sample[],
  questions: string[],
  topK: number,
  targetTokens: number,
): ChatCompletionMessage[][] {
  const index = new KeywordIndex();
  const chunks = new Map<string, ReturnType<typeof chunkDocument>>();
  for (const sample of samples) {
    const docChunks = chunkDocument(sample.text, sample.format, {
      targetTokens,
      overlapTokens: Math.round(targetTokens / 5),
    });
    chunks.set(sample.name, docChunks);
    index.add(sample.name, sample.name, docChunks);
  }
  return questions.map((question) => {
    const passages = index.search(question, topK).map((hit, i) => {
      const chunk = chunks.get(hit.docId)![hit.ordinal]!;
      return {
        number: i + 1,
        docName: hit.docId,
        headingPath: chunk.headingPath,
        text: chunk.text,
      };
    });
    return groundedMessages(question, passages);
  });
}

Object.assign(window, { load, unload, complete, chat, groundedPrompts });
document.title = 'ready';
