import { env } from '@huggingface/transformers';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Passage } from '../../core/kb/documents';
import { chunkEmbeddingText } from '../../core/text/embedding-input';
import { rerankPassages } from '../../core/retrieval/rerank';
import { RERANK_BATCH, loadCrossEncoder } from '../../engines/rerank/cross-encoder';
import { rerankerModelSpec } from '../../core/models/rerank-catalogue';
import type { DownloadProgress, RerankBackend } from '../../engines/rerank/reranker';
import { makeTinyReranker } from '../../../../scripts/make-tiny-reranker.mjs';
import { startMirror } from '../../../../scripts/serve-mirror.mjs';
import { createRerankHandlers } from './handler';
import type { RerankMethods } from './protocol';
import { RpcClient, serve } from '../rpc';

const modelsDir = fileURLToPath(new URL('../../../../test/fixtures/models/', import.meta.url));
const MODEL = rerankerModelSpec('grounded-test/tiny-reranker');

let mirror: { url: string; requests: string[]; close(): Promise<void> };

beforeAll(async () => {
  await makeTinyReranker(`${modelsDir}grounded-test/tiny-reranker`);
  mirror = await startMirror({ dir: modelsDir });
  // Node needs a file cache to hand model paths to onnxruntime-node; keep it out of node_modules.
  env.cacheDir = mkdtempSync(join(tmpdir(), 'grounded-models-'));
});

afterAll(async () => {
  await mirror?.close();
});

/** The reranking worker's handlers, connected over a real MessageChannel. */
function worker() {
  const loads: RerankBackend[] = [];
  const channel = new MessageChannel();
  const handlers = createRerankHandlers({
    // onnxruntime-node stands in for the browser's WASM backend here.
    loadReranker: (options) => {
      loads.push(options.backend);
      return loadCrossEncoder({ ...options, backend: 'cpu' });
    },
    webgpuUnavailableReason: async () => 'no WebGPU in Node',
  });
  serve<RerankMethods>(channel.port2, handlers);
  const rerank = new RpcClient<RerankMethods>(channel.port1);
  return {
    rerank,
    handlers,
    loads,
    load: () => rerank.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url }),
    close() {
      rerank.dispose();
      channel.port1.close();
    },
  };
}

const QUERY = 'How many days of paid leave do employees get?';
const LEAVE = 'Employees receive 31 days of paid leave each year, and unused days carry over.';
const DESK = 'Every engineer gets a walnut standing desk and a green lamp.';
const HEATER = 'The greenhouse heater is serviced every October by Marta.';

/** About `words` words of ordinary prose (roughly as many tokens), different for each `seed`. */
function prose(words: number, seed: number): string {
  const vocabulary = (
    'the leave policy gives employees paid days each year and the office lends projectors ' +
    'cameras laptops desks lamps keys heaters while engineers order monitors through facilities'
  ).split(' ');
  return Array.from({ length: words }, (_, i) => vocabulary[(i * 7 + seed * 13) % 29]).join(' ');
}

describe('reranking worker handlers (real transformers.js, tiny cross-encoder)', () => {
  test('load reports the model and why WebGPU was not used, with download progress', async () => {
    const w = worker();
    const progress: DownloadProgress[] = [];
    const result = await w.rerank.call(
      'load',
      { model: MODEL, backend: 'auto', remoteHost: mirror.url },
      { onProgress: (p) => progress.push(p) },
    );
    expect(result).toEqual({
      modelId: 'grounded-test/tiny-reranker',
      backend: 'cpu',
      maxTokens: 512,
      fallbackReason: 'no WebGPU in Node',
    });
    expect(w.loads).toEqual(['wasm']);
    // One running total over the tokenizer and the model.
    const last = progress.at(-1)!;
    expect(last.loaded).toBe(last.total);
    expect(last.total).toBeGreaterThan(700_000);
    expect(new Set(progress.map((p) => p.file))).toEqual(
      new Set([
        'tokenizer.json',
        'tokenizer_config.json',
        'config.json',
        'onnx/model_quantized.onnx',
      ]),
    );
    expect(mirror.requests).toContain(
      '/grounded-test/tiny-reranker/resolve/main/onnx/model_quantized.onnx',
    );
    // Loading the same model again is free.
    await w.load();
    await w.load();
    expect(w.loads).toEqual(['wasm', 'wasm']);
    w.close();
  });

  test('scores each passage, in the order sent, the same every time', async () => {
    const w = worker();
    await w.load();
    const { scores, ms } = await w.rerank.call('rerank', {
      query: QUERY,
      passages: [DESK, LEAVE, HEATER],
    });
    expect(scores).toHaveLength(3);
    for (const s of scores) expect(typeof s).toBe('number');
    expect(ms).toBeGreaterThanOrEqual(0);
    // The passage that answers the question comes first; one sharing no word scores 0.
    expect(scores[1]).toBeGreaterThan(scores[0]!);
    expect(scores[1]).toBeGreaterThan(0.2);
    expect(scores[2]).toBe(0);

    const reversed = await w.rerank.call('rerank', {
      query: QUERY,
      passages: [HEATER, LEAVE, DESK],
    });
    expect(reversed.scores).toEqual([...scores].reverse());
    const again = await w.rerank.call('rerank', { query: QUERY, passages: [DESK, LEAVE, HEATER] });
    expect(again.scores).toEqual(scores);
    w.close();
  });

  test('scores passages batched as it would one by one', async () => {
    const w = worker();
    await w.load();
    // Several batches of passages of different lengths, so each batch is padded differently.
    const passages = Array.from({ length: 2 * RERANK_BATCH + 3 }, (_, i) => prose(20 + 9 * i, i));
    passages[5] = LEAVE;
    const batched = await w.rerank.call('rerank', { query: QUERY, passages });
    const alone: number[] = [];
    for (const p of passages) {
      alone.push((await w.rerank.call('rerank', { query: QUERY, passages: [p] })).scores[0]!);
    }
    expect(batched.scores).toHaveLength(passages.length);
    batched.scores.forEach((s, i) => expect(s).toBeCloseTo(alone[i]!, 5));
    expect(new Set(batched.scores).size).toBeGreaterThan(10);
    w.close();
  });

  test('an empty list needs no model and gives no scores', async () => {
    const w = worker();
    expect(await w.rerank.call('rerank', { query: QUERY, passages: [] })).toEqual({
      scores: [],
      ms: 0,
    });
    expect(w.loads).toEqual([]);
    w.close();
  });

  test('reranking before loading says what to do', async () => {
    const w = worker();
    const error = await w.rerank
      .call('rerank', { query: QUERY, passages: [LEAVE] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RerankerNotLoadedError' });
    expect((error as Error).message).toMatch(/turn the reranker on/);
    w.close();
  });

  test('reranking waits for a load in progress', async () => {
    const w = worker();
    const loading = w.load();
    const { scores } = await w.rerank.call('rerank', { query: QUERY, passages: [LEAVE] });
    expect(scores[0]).toBeGreaterThan(0.2);
    await loading;
    w.close();
  });

  test('a model that is not on the mirror fails with its name and where it was looked for', async () => {
    const w = worker();
    const error = await w.rerank
      .call('load', {
        model: rerankerModelSpec('grounded-test/no-such-reranker'),
        backend: 'wasm',
        remoteHost: mirror.url,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RerankerLoadError' });
    expect((error as Error).message).toContain('grounded-test/no-such-reranker');
    expect((error as Error).message).toContain(mirror.url);
    // The worker still answers, and still has no model.
    const after = await w.rerank
      .call('rerank', { query: QUERY, passages: [LEAVE] })
      .catch((e: unknown) => e);
    expect(after).toMatchObject({ name: 'RerankerNotLoadedError' });
    w.close();
  });

  test('an aborted rerank stops with an AbortError', async () => {
    const w = worker();
    await w.load();
    const controller = new AbortController();
    controller.abort(new DOMException('Stopped.', 'AbortError'));
    const passages = Array.from({ length: 3 * RERANK_BATCH }, (_, i) => prose(50, i));
    const error = await w.handlers
      .rerank({ query: QUERY, passages }, { signal: controller.signal, progress: () => {} })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    w.close();
  });

  test('its scores reorder retrieved passages, keeping how each was retrieved', async () => {
    const w = worker();
    await w.load();
    const passage = (rank: number, text: string, headingPath: string[]): Passage => ({
      rank,
      score: 0.9 - rank / 10,
      docId: 'handbook',
      docName: 'handbook.md',
      ordinal: rank,
      chunkCount: 3,
      start: 0,
      end: text.length,
      headingPath,
      text,
    });
    const retrieved = [
      passage(1, DESK, ['Handbook', 'Equipment']),
      passage(2, HEATER, ['Handbook', 'Greenhouse']),
      passage(3, LEAVE, ['Handbook', 'Leave']),
    ];
    const { scores } = await w.rerank.call('rerank', {
      query: QUERY,
      passages: retrieved.map(chunkEmbeddingText),
    });
    const reranked = rerankPassages(retrieved, scores);
    expect(reranked.map((p) => [p.rank, p.retrievalRank, p.text])).toEqual([
      [1, 3, LEAVE],
      [2, 1, DESK],
      [3, 2, HEATER],
    ]);
    expect(reranked[0]!.rerankScore).toBe(scores[2]);
    w.close();
  });
});
