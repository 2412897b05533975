/**
 * The real all-MiniLM-L6-v2 (models/, filled by `npm run models`) through the app's own
 * `loadTransformersEmbedder`, on onnxruntime-node, against two references:
 *
 * - sentence-transformers' published similarity matrix for its quickstart sentences
 *   (https://www.sbert.net/docs/quickstart.html and the model card of
 *   sentence-transformers/all-MiniLM-L6-v2): 0.6660, 0.1046, 0.1411;
 * - vectors computed here with onnxruntime-node directly from the same ONNX file, fed token ids
 *   from Hugging Face's Python `tokenizers` (test/fixtures/minilm-reference/, made by
 *   scripts/make-minilm-reference.py), mean-pooled and normalised by hand.
 */
import { env } from '@huggingface/transformers';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMirror } from '../../../../scripts/serve-mirror.mjs';
import { DEFAULT_CHUNKING } from '../../core/text/chunking';
import { chunkEmbeddingText } from '../../core/text/embedding-input';
import { chunkAndEmbed, EMBED_BATCH } from './handler';
import { embeddingModelSpec } from '../../core/models/embedding-catalogue';
import type { Embedder } from '../../engines/embedding/embedder';
import { loadTransformersEmbedder } from '../../engines/embedding/transformers-embedder';

const MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
const modelsDir = fileURLToPath(new URL('../../../../models/', import.meta.url));
const modelDir = join(modelsDir, MODEL_ID);
const FILES = {
  q8: join(modelDir, 'onnx/model_quantized.onnx'),
  fp32: join(modelDir, 'onnx/model.onnx'),
};
const reference = JSON.parse(
  readFileSync(
    new URL('../../../../test/fixtures/minilm-reference/token-ids.json', import.meta.url),
    'utf8',
  ),
) as { sentences: { text: string; ids: number[] }[] };
const SENTENCES = reference.sentences.map((s) => s.text);
const DIM = 384;

/** sentence-transformers' quickstart: similarities of sentences 0–1, 0–2 and 1–2. */
const PUBLISHED = {
  pairs: [
    [0, 1],
    [0, 2],
    [1, 2],
  ] as const,
  scores: [0.666, 0.1046, 0.1411],
};

let mirror: { url: string; close(): Promise<void> } | undefined;
let cacheDir: string | undefined;
const embedders: Partial<Record<'q8' | 'fp32', Embedder>> = {};

beforeAll(async () => {
  const needed = [
    ...Object.values(FILES),
    ...['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join(modelDir, f)),
  ];
  const missing = needed.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `The real ${MODEL_ID} is not in models/ (missing ${missing.join(', ')}). ` +
        'Run `npm run models` once to fetch the real models, then run the tests again.',
    );
  }
  mirror = await startMirror({ dir: modelsDir });
  // onnxruntime-node reads model files from disk: transformers.js caches them here.
  cacheDir = env.cacheDir = mkdtempSync(join(tmpdir(), 'grounded-real-models-'));
  for (const dtype of ['q8', 'fp32'] as const) {
    embedders[dtype] = await loadTransformersEmbedder({
      model: embeddingModelSpec(MODEL_ID),
      backend: 'cpu',
      remoteHost: mirror.url,
      dtype,
    });
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(embedders).map((e) => e.dispose()));
  await mirror?.close();
  // 113 MB of model files copied from the mirror.
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

const row = (vectors: Float32Array, i: number) => vectors.subarray(i * DIM, (i + 1) * DIM);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((max, x, i) => Math.max(max, Math.abs(x - b[i]!)), 0);

/** One sentence's embedding by onnxruntime-node alone: the model's output, pooled by hand. */
async function referenceVector(session: InferenceSession, ids: number[]): Promise<Float32Array> {
  const shape = [1, ids.length];
  const int64 = (values: number[]) =>
    new Tensor('int64', BigInt64Array.from(values, BigInt), shape);
  const feeds: Record<string, Tensor> = {
    input_ids: int64(ids),
    attention_mask: int64(ids.map(() => 1)),
    token_type_ids: int64(ids.map(() => 0)),
  };
  const output = await session.run(feeds);
  const hidden = output['last_hidden_state']!.data as Float32Array;
  // Mean over the tokens (all of them: no padding), then unit length.
  const pooled = new Float64Array(DIM);
  for (let t = 0; t < ids.length; t++) {
    for (let d = 0; d < DIM; d++) pooled[d]! += hidden[t * DIM + d]! / ids.length;
  }
  const length = Math.hypot(...pooled);
  return Float32Array.from(pooled, (x) => x / length);
}

// Real inference on a shared 2-core machine: seconds, not milliseconds, when it is busy.
const SLOW = { timeout: 60_000 };

describe(`the real ${MODEL_ID} through the app's embedder (onnxruntime-node)`, SLOW, () => {
  test('gives 384-dimensional unit vectors', async () => {
    const embedder = embedders.q8!;
    expect(embedder.dimension).toBe(DIM);
    expect(embedder.maxTokens).toBe(512);
    const vectors = await embedder.embed(SENTENCES);
    expect(vectors).toHaveLength(SENTENCES.length * DIM);
    for (let i = 0; i < SENTENCES.length; i++) {
      expect(Math.sqrt(dot(row(vectors, i), row(vectors, i)))).toBeCloseTo(1, 5);
    }
  });

  test('a paraphrase scores higher than an unrelated sentence', async () => {
    for (const embedder of [embedders.q8!, embedders.fp32!]) {
      const v = await embedder.embed(SENTENCES);
      // Sentences 3–5: paid leave, the same said otherwise, a greenhouse heater.
      const paraphrase = dot(row(v, 3), row(v, 4));
      const unrelated = dot(row(v, 3), row(v, 5));
      expect(paraphrase).toBeGreaterThan(0.5);
      expect(unrelated).toBeLessThan(0.3);
      expect(paraphrase - unrelated).toBeGreaterThan(0.3);
      // The quickstart's sunny-weather pair too.
      expect(dot(row(v, 0), row(v, 1))).toBeGreaterThan(dot(row(v, 0), row(v, 2)));
    }
  });

  test("fp32 reproduces sentence-transformers' published similarities to 4 decimals", async () => {
    const v = await embedders.fp32!.embed(SENTENCES.slice(0, 3));
    const scores = PUBLISHED.pairs.map(([a, b]) => dot(row(v, a), row(v, b)));
    // Published rounded to 4 decimals: half a unit in the last place, plus float noise.
    scores.forEach((score, i) => expect(Math.abs(score - PUBLISHED.scores[i]!)).toBeLessThan(6e-5));
  });

  test('q8, what the app runs on WASM, stays within 0.03 of the published similarities', async () => {
    // The int8 weights (and activations, quantized per batch) move cosine similarities of short
    // sentences by up to 0.026 here (0.6617, 0.1301, 0.1504 against 0.6660, 0.1046, 0.1411):
    // small beside the gap between a paraphrase and an unrelated sentence (0.5 and more), which
    // is what ranking depends on. 0.03 fails if the model, its tokenizer or the pooling change.
    const v = await embedders.q8!.embed(SENTENCES.slice(0, 3));
    const scores = PUBLISHED.pairs.map(([a, b]) => dot(row(v, a), row(v, b)));
    scores.forEach((score, i) => expect(Math.abs(score - PUBLISHED.scores[i]!)).toBeLessThan(0.03));
  });

  test.each(['q8', 'fp32'] as const)(
    '%s: equals onnxruntime-node on the same file with independently tokenized ids, within 1e-5',
    async (dtype) => {
      const embedder = embedders[dtype]!;
      const session = await InferenceSession.create(FILES[dtype]);
      try {
        for (const { text, ids } of reference.sentences) {
          // The app's tokenizer (transformers.js) counts the same word pieces.
          expect(embedder.countTokens(text), text).toBe(ids.length - 2);
          const expected = await referenceVector(session, ids);
          const actual = await embedder.embed([text]);
          expect(maxAbsDiff(actual, expected), text).toBeLessThan(1e-5);
        }
      } finally {
        await session.release();
      }
    },
  );
});

describe("the app's chunkAndEmbed with the real model: length-sorted batches", SLOW, () => {
  // 19 chunks of 52–170 tokens at the default chunk size: two batches.
  const HANDBOOK = readFileSync(
    new URL('../../../../static/samples/employee-handbook.md', import.meta.url),
    'utf8',
  );
  const embedHandbook = (embedder: Embedder, signal = new AbortController().signal) =>
    chunkAndEmbed(
      HANDBOOK,
      'markdown',
      undefined,
      'handbook',
      DEFAULT_CHUNKING,
      { embedder, model: embeddingModelSpec(embedder.modelId) },
      signal,
    );

  test.each(['fp32', 'q8'] as const)(
    '%s: every chunk gets its own vector, in chunk order, from batches sorted by length',
    async (dtype) => {
      const embedder = embedders[dtype]!;
      const batches: string[][] = [];
      // The real model, batched as on WebGPU (the only backend that embeds several at a time).
      const recording: Embedder = {
        ...embedder,
        backend: 'webgpu',
        embed: (texts) => (batches.push(texts), embedder.embed(texts)),
      };
      const { chunks, vectors } = await embedHandbook(recording);
      const size = EMBED_BATCH.webgpu;
      expect(chunks.length).toBeGreaterThan(size);
      expect(batches.map((b) => b.length)).toEqual([size, chunks.length - size]);
      const lengths = batches.map((b) => b.map((t) => t.length));
      expect(Math.max(...lengths[0]!)).toBeLessThanOrEqual(Math.min(...lengths[1]!));

      const texts = chunks.map(chunkEmbeddingText);
      for (const [i, text] of texts.entries()) {
        const alone = await embedder.embed([text]);
        // Each chunk's nearest vector is its own (overlapping neighbours come close).
        const scores = texts.map((_, j) => dot(alone, row(vectors, j)));
        expect(scores.indexOf(Math.max(...scores)), text).toBe(i);
        if (dtype === 'fp32') {
          expect(maxAbsDiff(row(vectors, i), alone), text).toBeLessThan(1e-5);
        } else {
          // The q8 model quantizes activations with one scale per batch, so batch neighbours
          // move a vector: cosine 0.988 to the chunk embedded alone, at worst, here.
          expect(dot(row(vectors, i), alone), text).toBeGreaterThan(0.98);
        }
      }
      if (dtype === 'fp32') {
        // The same as batches in document order, as chunkAndEmbed embedded before.
        const unsorted = new Float32Array(vectors.length);
        for (let from = 0; from < texts.length; from += size) {
          const batch = await embedder.embed(texts.slice(from, from + size));
          unsorted.set(batch, from * DIM);
        }
        expect(maxAbsDiff(vectors, unsorted)).toBeLessThan(1e-5);
      }
    },
  );

  test('on the CPU each chunk is embedded alone: no padding, no batch neighbours', async () => {
    const calls: number[] = [];
    const recording: Embedder = {
      ...embedders.q8!,
      embed: (texts) => (calls.push(texts.length), embedders.q8!.embed(texts)),
    };
    const { chunks, vectors } = await embedHandbook(recording);
    expect(calls).toEqual(chunks.map(() => 1));
    const first = await embedders.q8!.embed([chunkEmbeddingText(chunks[0]!)]);
    expect(maxAbsDiff(row(vectors, 0), first)).toBe(0);
  });

  test('cancelling stops between batches', async () => {
    const controller = new AbortController();
    let calls = 0;
    const cancelling: Embedder = {
      ...embedders.q8!,
      async embed(texts) {
        calls++;
        const vectors = await embedders.q8!.embed(texts);
        controller.abort();
        return vectors;
      },
    };
    await expect(embedHandbook(cancelling, controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(calls).toBe(1);
  });
});
