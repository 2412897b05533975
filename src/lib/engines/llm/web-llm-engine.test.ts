// The engine against web-llm's real WebWorkerMLCEngine client and WebWorkerMLCEngineHandler,
// with a scripted engine in place of MLCEngine (there is no GPU or model here).
import { afterEach, describe, expect, test } from 'vitest';
import { EngineCrashedError, ModelLoadError, type ChatDelta, type LoadProgress } from './engine';
import { isModelCached, modelBaseUrl } from './web-llm-cache';
import { WebLlmEngine } from './web-llm-engine';
import { PromptTooLongError } from './web-llm-errors';
import {
  ALL,
  FakeCacheStorage,
  FakeMLCEngine,
  INTERRUPTED,
  LoopbackWorker,
  chunk,
  downloaded,
  usageChunk,
  type Script,
} from './web-llm-fakes';

const MIRROR = 'http://127.0.0.1:9000/';
const QWEN = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const QWEN3 = 'Qwen3-0.6B-q4f16_1-MLC';
const SAMPLING = { temperature: 0.2, topP: 0.9, seed: 7, maxTokens: 64 };
const MESSAGES = [
  { role: 'system' as const, content: 'Answer from the passages.' },
  { role: 'user' as const, content: 'How long is parental leave?' },
];

const never = () => new Promise<never>(() => {});
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

interface Rig {
  engine: WebLlmEngine;
  storage: FakeCacheStorage;
  workers: LoopbackWorker[];
  progress: LoadProgress[];
  /** URLs of `modelId`'s files in the cache. */
  files(modelId: string): string[];
  /** Stores files of `modelId` as web-llm's download would. */
  download(modelId: string, steps: typeof ALL): Promise<void>;
}

let engines: WebLlmEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.map((engine) => engine.unload()));
  engines = [];
});

function rig(script: Script | (() => Script)): Rig {
  const storage = new FakeCacheStorage();
  const workers: LoopbackWorker[] = [];
  const engine = new WebLlmEngine({
    mirror: MIRROR,
    storage: storage as unknown as CacheStorage,
    startWorker: () => {
      const worker = new LoopbackWorker(
        new FakeMLCEngine(typeof script === 'function' ? script() : script),
      );
      workers.push(worker);
      return worker;
    },
  });
  engines.push(engine);
  const record = (id: string) => engine.appConfig.model_list.find((r) => r.model_id === id)!;
  return {
    engine,
    storage,
    workers,
    progress: [],
    files: (id) => storage.urls().filter((url) => url.startsWith(modelBaseUrl(record(id)))),
    download: (id, steps) => downloaded(storage, record(id), steps),
  };
}

async function loaded(r: Rig, id = QWEN) {
  return r.engine.load({ kind: 'web-llm', id }, (p) => r.progress.push(p));
}

async function collect(stream: AsyncIterable<ChatDelta>): Promise<ChatDelta[]> {
  const deltas: ChatDelta[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
}

const answering = (...chunks: ReturnType<typeof chunk>[]): Script['answer'] =>
  async function* () {
    yield* chunks;
  };

describe('loading', () => {
  test('loads in a worker, from the mirror, reporting progress in bytes', async () => {
    const r = rig({
      async reload(fake) {
        fake.progress({
          progress: 0.5,
          timeElapsed: 1,
          text: 'Fetching param cache[2/4]: 200MB fetched. 50% completed, 1 secs elapsed.',
        });
        fake.progress({ progress: 1, timeElapsed: 2, text: 'Finish loading on WebGPU - test gpu' });
      },
    });
    const model = await loaded(r);
    expect(model).toEqual({
      id: QWEN,
      label: 'Qwen2.5 0.5B Instruct (q4f32)',
      contextWindow: 4096,
      engine: 'web-llm',
      backend: 'WebGPU - test gpu',
    });
    expect(r.progress[0]).toMatchObject({
      loaded: 200 * 1024 * 1024,
      total: 400 * 1024 * 1024,
      fraction: 0.5,
      text: 'Fetching param cache[2/4]',
    });
    const worker = r.workers[0]!;
    expect(worker.engine.reloads).toEqual([QWEN]);
    const appConfig = worker.engine.appConfig as typeof r.engine.appConfig;
    for (const record of appConfig.model_list) {
      expect(record.model.startsWith(MIRROR)).toBe(true);
      expect(record.model_lib.startsWith(MIRROR)).toBe(true);
    }
  });

  test('a missing file: an error naming the model and the mirror, and nothing left in the cache', async () => {
    const r = rig({
      async reload() {
        await r.download(QWEN, INTERRUPTED);
        throw new TypeError("Failed to execute 'add' on 'Cache': Request failed");
      },
    });
    const error = await loaded(r).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toBe(
      "Could not download Qwen2.5 0.5B Instruct (q4f32) from 127.0.0.1:9000: Failed to execute 'add' on 'Cache': Request failed. Check the connection or the models= mirror, then try again.",
    );
    expect(r.files(QWEN)).toEqual([]);
    expect(r.storage.urls()).toEqual([]);
    expect(r.workers[0]!.terminated).toBe(true);
  });

  test('a full disk has its own message', async () => {
    const r = rig({
      async reload() {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    });
    await expect(loaded(r)).rejects.toThrow(
      /^There is no room to store Qwen2\.5 0\.5B Instruct \(q4f32\): .*Delete downloaded models/,
    );
  });

  test('cancelling stops the download at once, cleans up, and a later load starts afresh', async () => {
    let attempt = 0;
    const r = rig(() => ({
      async reload() {
        attempt += 1;
        if (attempt === 1) {
          await r.download(QWEN, INTERRUPTED);
          return never();
        }
      },
    }));
    const controller = new AbortController();
    const first = r.engine.load({ kind: 'web-llm', id: QWEN }, () => {}, controller.signal);
    await expect.poll(() => r.files(QWEN).length).toBeGreaterThan(0);
    controller.abort();
    const error = await first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect((error as DOMException).message).toBe(
      'Loading Qwen2.5 0.5B Instruct (q4f32) was cancelled.',
    );
    expect(r.workers[0]!.terminated).toBe(true);
    expect(r.storage.urls()).toEqual([]);

    await loaded(r);
    expect(r.workers).toHaveLength(2);
    expect(r.workers[1]!.terminated).toBe(false);
  });

  test('a load that is already cancelled starts no worker', async () => {
    const r = rig({});
    const signal = AbortSignal.abort();
    await expect(r.engine.load({ kind: 'web-llm', id: QWEN }, () => {}, signal)).rejects.toThrow(
      'was cancelled',
    );
    expect(r.workers).toHaveLength(0);
  });

  test('a newer load cancels the one under way', async () => {
    const r = rig(() => ({
      reload: (_, id) => (id === QWEN ? never() : Promise.resolve()),
    }));
    const first = loaded(r, QWEN);
    await expect.poll(() => r.workers.length).toBe(1);
    const second = loaded(r, 'SmolLM2-360M-Instruct-q4f32_1-MLC');
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    await expect(second).resolves.toMatchObject({ id: 'SmolLM2-360M-Instruct-q4f32_1-MLC' });
    expect(r.workers.map((w) => w.terminated)).toEqual([true, false]);
  });

  test('a model that was downloaded stays cached when loading it fails', async () => {
    const r = rig({
      async reload() {
        throw new Error('The WebGPU device was lost while loading the model.');
      },
    });
    await r.download(QWEN, ALL);
    await expect(loaded(r)).rejects.toThrow(
      'The GPU ran out of memory loading Qwen2.5 0.5B Instruct (q4f32) (it needs about 1061 MB).',
    );
    const record = r.engine.appConfig.model_list.find((m) => m.model_id === QWEN)!;
    expect(await isModelCached(record, r.storage as unknown as CacheStorage)).toBe(true);
  });

  test('a q4f16 build on a GPU without shader-f16 points to the q4f32 build', async () => {
    const r = rig({
      async reload() {
        const error = new Error('This model requires WebGPU extension shader-f16…');
        error.name = 'ShaderF16SupportError';
        throw error;
      },
    });
    await expect(loaded(r, QWEN3)).rejects.toThrow(
      'Qwen3 0.6B (q4f16) needs a WebGPU feature this browser or GPU does not offer (shader-f16). Pick the q4f32 build of Qwen3 0.6B instead.',
    );
  });

  test('a worker that dies while loading fails the load', async () => {
    const r = rig({ reload: never });
    const load = loaded(r);
    await expect.poll(() => r.workers.length).toBe(1);
    await tick();
    r.workers[0]!.crash('Uncaught RangeError: out of bounds');
    await expect(load).rejects.toThrow(
      'The web-llm worker stopped while loading Qwen2.5 0.5B Instruct (q4f32) (Uncaught RangeError: out of bounds). Reload the page and try again.',
    );
  });

  test('models outside the catalogue and GGUF files are refused', async () => {
    const r = rig({});
    await expect(r.engine.load({ kind: 'web-llm', id: 'Mystery-7B' }, () => {})).rejects.toThrow(
      ModelLoadError,
    );
    const gguf = { kind: 'gguf-url', id: 'x', url: 'http://x/x.gguf', label: 'x' } as const;
    await expect(r.engine.load(gguf, () => {})).rejects.toThrow(TypeError);
  });
});

describe('answering', () => {
  test('streams the answer, then how it ended and the token counts', async () => {
    const r = rig({
      reload: async () => {},
      answer: answering(chunk('Thirty '), chunk('weeks.'), chunk('', 'stop'), usageChunk(120, 3)),
    });
    await loaded(r);
    const deltas = await collect(r.engine.chat(MESSAGES, SAMPLING));
    expect(deltas).toEqual([
      { content: 'Thirty ' },
      { content: 'weeks.' },
      { content: '', finish: 'stop', usage: { promptTokens: 120, completionTokens: 3 } },
    ]);
    expect(r.workers[0]!.engine.requests[0]).toEqual({
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      max_tokens: 64,
    });
  });

  test('an answer cut by max_tokens ends with "length"', async () => {
    const r = rig({ answer: answering(chunk('Thirty'), chunk('', 'length'), usageChunk(9, 1)) });
    await loaded(r);
    expect((await collect(r.engine.chat(MESSAGES, SAMPLING))).at(-1)?.finish).toBe('length');
  });

  test('Qwen3 is asked not to think, and its empty thinking block is not shown', async () => {
    const r = rig({
      answer: answering(
        chunk('<think>\n\n</think>\n\nThirty'),
        chunk(' weeks.'),
        chunk('', 'stop'),
      ),
    });
    await loaded(r, QWEN3);
    const deltas = await collect(r.engine.chat(MESSAGES, SAMPLING));
    expect(deltas.map((d) => d.content).join('')).toBe('Thirty weeks.');
    expect(r.workers[0]!.engine.requests[0]!.extra_body).toEqual({ enable_thinking: false });
  });

  test('aborting stops generation at once and ends the stream with "abort"', async () => {
    let closed = false;
    const r = rig({
      async *answer() {
        try {
          for (let i = 0; ; i++) {
            await tick(2);
            yield chunk(`token${i} `);
          }
        } finally {
          closed = true;
        }
      },
    });
    await loaded(r);
    const controller = new AbortController();
    const deltas: ChatDelta[] = [];
    for await (const delta of r.engine.chat(MESSAGES, SAMPLING, controller.signal)) {
      deltas.push(delta);
      if (deltas.length === 3) controller.abort();
    }
    expect(deltas).toHaveLength(4);
    expect(deltas[3]).toEqual({ content: '', finish: 'abort' });
    const fake = r.workers[0]!.engine;
    await expect.poll(() => closed).toBe(true);
    expect(fake.interrupts).toBe(1);
  });

  test('aborting while the prompt is still being read ends the stream at once', async () => {
    const r = rig({
      async *answer() {
        await never();
        yield chunk('never');
      },
    });
    await loaded(r);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const deltas = await collect(r.engine.chat(MESSAGES, SAMPLING, controller.signal));
    expect(deltas).toEqual([{ content: '', finish: 'abort' }]);
  });

  test('a prompt longer than the context window is not a crash', async () => {
    const r = rig({
      // eslint-disable-next-line require-yield
      async *answer() {
        const error = new Error(
          'Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096',
        );
        error.name = 'ContextWindowSizeExceededError';
        throw error;
      },
    });
    await loaded(r);
    const error = await collect(r.engine.chat(MESSAGES, SAMPLING)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptTooLongError);
    expect((error as Error).message).toContain('(5000 tokens; it reads at most 4096)');
    expect(r.workers[0]!.terminated).toBe(false);
  });

  test('a lost GPU device: reload the model', async () => {
    const r = rig({
      // eslint-disable-next-line require-yield
      async *answer() {
        const error = new Error(
          'Model not loaded before trying to complete ChatCompletionRequest.',
        );
        error.name = 'ModelNotLoadedError';
        throw error;
      },
    });
    await loaded(r);
    const error = await collect(r.engine.chat(MESSAGES, SAMPLING)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect((error as Error).message).toMatch(/Reload the model and ask again/);
    expect(r.workers[0]!.terminated).toBe(true);
    await expect(collect(r.engine.chat(MESSAGES, SAMPLING))).rejects.toThrow(
      'No web-llm model is loaded',
    );
  });

  test('a worker that dies mid-answer: reload the model', async () => {
    const r = rig({
      async *answer() {
        yield chunk('Thirty');
        await never();
      },
    });
    await loaded(r);
    const stream = r.engine.chat(MESSAGES, SAMPLING)[Symbol.asyncIterator]();
    expect((await stream.next()).value).toEqual({ content: 'Thirty' });
    const next = stream.next();
    await tick();
    r.workers[0]!.crash('Uncaught Error: GPU gone');
    await expect(next).rejects.toThrow(
      'Qwen2.5 0.5B Instruct (q4f32) stopped while answering (Uncaught Error: GPU gone). Reload the model and ask again.',
    );
  });

  test('unload ends the worker', async () => {
    const r = rig({});
    await loaded(r);
    await r.engine.unload();
    expect(r.workers[0]!.terminated).toBe(true);
    await expect(collect(r.engine.chat(MESSAGES, SAMPLING))).rejects.toThrow(EngineCrashedError);
  });
});

test('the engine has no countTokens: web-llm 0.2.86 does not expose its tokenizer', () => {
  expect(
    'countTokens' in
      new WebLlmEngine({
        storage: undefined,
        startWorker: () => {
          throw new Error('no worker is needed to list methods');
        },
      }),
  ).toBe(false);
});
