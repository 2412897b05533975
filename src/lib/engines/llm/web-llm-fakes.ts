/**
 * Test doubles for the web-llm engine: the Cache API as web-llm uses it, and a worker that runs
 * web-llm's real `WebWorkerMLCEngineHandler` around a scripted engine. Used by the unit tests only.
 */

import {
  WebWorkerMLCEngineHandler,
  type ChatCompletionChunk,
  type ChatCompletionRequestStreaming,
  type InitProgressReport,
  type MLCEngine,
  type ModelRecord,
} from '@mlc-ai/web-llm';
import { modelBaseUrl } from './web-llm-cache';
import type { WebLlmWorker } from './web-llm-engine';

const urlOf = (input: RequestInfo | URL) =>
  typeof input === 'string' ? new URL(input).href : input instanceof URL ? input.href : input.url;

/** The Cache API as web-llm uses it: `add` fetches from `network` and stores whole responses. */
export class FakeCache {
  readonly entries = new Map<string, Response>();
  constructor(private readonly network: FakeNetwork) {}
  async match(input: RequestInfo | URL) {
    return this.entries.get(urlOf(input))?.clone();
  }
  async add(input: RequestInfo | URL) {
    const response = await this.network.fetch(urlOf(input));
    if (!response.ok) throw new TypeError("Failed to execute 'add' on 'Cache': Request failed");
    this.entries.set(urlOf(input), response);
  }
  async put(input: RequestInfo | URL, response: Response) {
    this.entries.set(urlOf(input), response);
  }
  async delete(input: RequestInfo | URL) {
    return this.entries.delete(urlOf(input));
  }
  async keys() {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
}

export class FakeNetwork {
  readonly requested: string[] = [];
  readonly files = new Map<string, string>();
  async fetch(url: string) {
    this.requested.push(url);
    const body = this.files.get(url);
    return body === undefined ? new Response('Not found', { status: 404 }) : new Response(body);
  }
}

export class FakeCacheStorage {
  readonly caches = new Map<string, FakeCache>();
  constructor(readonly network = new FakeNetwork()) {}
  async has(name: string) {
    return this.caches.has(name);
  }
  async open(name: string) {
    if (!this.caches.has(name)) this.caches.set(name, new FakeCache(this.network));
    return this.caches.get(name)!;
  }
  async delete(name: string) {
    return this.caches.delete(name);
  }
  async keys() {
    return [...this.caches.keys()];
  }
  urls(): string[] {
    return [...this.caches.values()].flatMap((cache) => [...cache.entries.keys()]);
  }
}

export const SHARDS = 5;

export function tensorCache() {
  const records = Array.from({ length: SHARDS }, (_, i) => ({
    dataPath: `params_shard_${i}.bin`,
    nbytes: 1000,
  }));
  return JSON.stringify({ metadata: {}, records });
}

export type Step = 'config' | 'wasm' | 'tokenizer' | 'tensor-cache' | `shard-${number}`;

/** Stores what web-llm has stored after the given steps of a download, at the same URLs. */
export async function downloaded(storage: FakeCacheStorage, model: ModelRecord, steps: Step[]) {
  const base = modelBaseUrl(model);
  const put = async (cache: string, url: string, body: string, headers?: HeadersInit) =>
    (await storage.open(cache)).put(url, new Response(body, { headers }));
  for (const step of steps) {
    if (step === 'config') await put('webllm/config', `${base}mlc-chat-config.json`, '{}');
    if (step === 'wasm') await put('webllm/wasm', model.model_lib, 'wasm-bytes');
    if (step === 'tokenizer') await put('webllm/model', `${base}tokenizer.json`, '{"t":1}');
    if (step === 'tensor-cache')
      await put('webllm/model', `${base}tensor-cache.json`, tensorCache());
    if (step.startsWith('shard-')) {
      const i = step.slice('shard-'.length);
      await put('webllm/model', `${base}params_shard_${i}.bin`, 'x'.repeat(10), {
        'Content-Length': '1000',
      });
    }
  }
}

export const ALL: Step[] = [
  'config',
  'wasm',
  'tokenizer',
  'tensor-cache',
  ...Array.from({ length: SHARDS }, (_, i): Step => `shard-${i}`),
];
/** The shard downloads were cut off after two of five. */
export const INTERRUPTED = ALL.slice(0, 6);

/** What the scripted engine does in place of web-llm's MLCEngine. */
export interface Script {
  reload?(engine: FakeMLCEngine, modelId: string): Promise<void>;
  answer?(
    engine: FakeMLCEngine,
    request: ChatCompletionRequestStreaming,
  ): AsyncIterable<ChatCompletionChunk>;
}

/** Stands in for MLCEngine inside web-llm's real worker handler. */
export class FakeMLCEngine {
  appConfig: unknown;
  interrupts = 0;
  readonly reloads: string[] = [];
  readonly requests: ChatCompletionRequestStreaming[] = [];
  progress: (report: InitProgressReport) => void = () => {};
  constructor(private readonly script: Script) {}
  setAppConfig(appConfig: unknown) {
    this.appConfig = appConfig;
  }
  setLogLevel() {}
  async reload(modelIds: string[]) {
    this.reloads.push(modelIds[0]!);
    await this.script.reload?.(this, modelIds[0]!);
  }
  async chatCompletion(request: ChatCompletionRequestStreaming) {
    this.requests.push(request);
    return this.script.answer!(this, request);
  }
  async interruptGenerate() {
    this.interrupts += 1;
  }
  async unload() {}
}

/**
 * A worker in the same thread: messages are structured-cloned and delivered on a later task, as
 * between threads, to web-llm's real `WebWorkerMLCEngineHandler`, which drives a FakeMLCEngine.
 */
export class LoopbackWorker implements WebLlmWorker {
  onmessage: ((event: MessageEvent) => void) | null = null;
  terminated = false;
  readonly #handler = new WebWorkerMLCEngineHandler();
  readonly #errorListeners: ((event: Event) => void)[] = [];

  constructor(readonly engine: FakeMLCEngine) {
    this.#handler.engine = engine as unknown as MLCEngine;
    this.#handler.postMessage = (message: unknown) => {
      const data = structuredClone(message);
      this.#deliver(() => this.onmessage?.(new MessageEvent('message', { data })));
    };
    engine.progress = (report) =>
      this.#handler.postMessage({ kind: 'initProgressCallback', uuid: '', content: report });
  }

  postMessage(message: unknown) {
    const data = structuredClone(message);
    this.#deliver(() => this.#handler.onmessage(new MessageEvent('message', { data })));
  }

  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void) {
    if (type === 'error') this.#errorListeners.push(listener);
  }

  /** What the browser does when a worker throws and nothing catches it. */
  crash(message: string) {
    const event = Object.assign(new Event('error'), { message });
    for (const listener of this.#errorListeners) listener(event);
  }

  terminate() {
    this.terminated = true;
  }

  #deliver(deliver: () => void) {
    setTimeout(() => {
      if (!this.terminated) deliver();
    }, 0);
  }
}

/** web-llm's stream chunks. */
export function chunk(content: string, finish: string | null = null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [
      {
        index: 0,
        delta: finish ? {} : { role: 'assistant', content },
        finish_reason: finish as ChatCompletionChunk.Choice['finish_reason'],
      },
    ],
  };
}

export function usageChunk(prompt: number, completion: number): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      extra: {
        e2e_latency_s: 0,
        prefill_tokens_per_s: 0,
        decode_tokens_per_s: 0,
        time_to_first_token_s: 0,
        time_per_output_token_s: 0,
      },
    },
  };
}
