import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyEmbedder } from './make-tiny-embedder.mjs';
import {
  MIN_AGREEMENT_COSINE,
  SELF_CHECK_SENTENCES,
  vectorsAgree,
} from '../src/lib/core/models/vector-agreement';

const FIXTURE = fileURLToPath(
  new URL('../test/fixtures/models/grounded-test/tiny-embedder/', import.meta.url),
);
const TOKENIZER_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
];

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const cosine = (a: number[], b: number[]) => dot(a, b) / (norm(a) * norm(b));

let root: string;
let modelDir: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tiny-embedder-'));
  modelDir = path.join(root, 'grounded-test', 'tiny-embedder');
  const disagreeing = path.join(root, 'grounded-test', 'tiny-embedder-disagree');
  await makeTinyEmbedder(modelDir);
  await makeTinyEmbedder(disagreeing, { quantizedSeed: 12345 });
  for (const dir of [modelDir, disagreeing]) {
    for (const f of TOKENIZER_FILES) await copyFile(path.join(FIXTURE, f), path.join(dir, f));
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('makeTinyEmbedder', () => {
  it('writes the same bytes on every run, and skips work when up to date', async () => {
    const read = () =>
      Promise.all(
        ['model.onnx', 'model_quantized.onnx'].map((f) => readFile(path.join(modelDir, 'onnx', f))),
      );
    const first = await read();
    expect(await makeTinyEmbedder(modelDir)).toMatchObject({ skipped: true });
    const forced = await makeTinyEmbedder(modelDir, { force: true });
    expect(forced.skipped).toBe(false);
    expect(forced.files.map((f) => f.bytes)).toEqual(first.map((b) => b.length));
    const second = await read();
    expect(second[0]!.equals(first[0]!)).toBe(true);
    expect(second[1]!.equals(first[1]!)).toBe(true);
    // The int8 table is a quarter of the float one.
    expect(first[1]!.length).toBeLessThan(first[0]!.length / 3);
  });
});

describe('the tiny embedder in transformers.js', () => {
  const extractors: Partial<
    Record<'fp32' | 'q8' | 'disagree-fp32' | 'disagree-q8', FeatureExtractionPipeline>
  > = {};

  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
    // Keep transformers.js from caching the model under node_modules.
    env.useFSCache = false;
    for (const dtype of ['fp32', 'q8'] as const) {
      extractors[dtype] = await pipeline('feature-extraction', 'grounded-test/tiny-embedder', {
        dtype,
      });
      extractors[`disagree-${dtype}`] = await pipeline(
        'feature-extraction',
        'grounded-test/tiny-embedder-disagree',
        { dtype },
      );
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(extractors).map((e) => e?.dispose()));
  });

  const embed = async (dtype: keyof typeof extractors, texts: string[]) => {
    const output = await extractors[dtype]!(texts, { pooling: 'mean', normalize: true });
    expect(output.dims).toEqual([texts.length, 384]);
    return output.tolist() as number[][];
  };

  it('returns unit vectors of dimension 384 and is deterministic', async () => {
    const texts = ['The mitochondria is the powerhouse of the cell.', 'Hello', 'Hello'];
    for (const dtype of ['fp32', 'q8'] as const) {
      const vectors = await embed(dtype, texts);
      for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 5);
      expect(vectors[2]).toEqual(vectors[1]);
      expect(await embed(dtype, texts)).toEqual(vectors);
    }
  });

  it('gives close vectors in q8 and fp32', async () => {
    const texts = ['Quantized weights lose a little precision.', 'short', 'a b c d e f g'];
    const fp32 = await embed('fp32', texts);
    const q8 = await embed('q8', texts);
    fp32.forEach((v, i) => expect(cosine(v, q8[i]!)).toBeGreaterThan(0.99));
  });

  it('ranks a passage sharing the query words above an unrelated one', async () => {
    const [query, related, unrelated] = await embed('fp32', [
      'how do plants use sunlight for photosynthesis',
      'Photosynthesis lets green plants turn sunlight, water and carbon dioxide into sugar.',
      'The stock market fell sharply after the central bank raised interest rates.',
    ]);
    expect(dot(query!, related!)).toBeGreaterThan(dot(query!, unrelated!) + 0.1);
  });

  it('has a variant whose fp32 and int8 files disagree, as the WebGPU self-check must notice', async () => {
    const texts = [...SELF_CHECK_SENTENCES];
    const cosines = async (model: '' | 'disagree-') => {
      const fp32 = await embed(`${model}fp32`, texts);
      const q8 = await embed(`${model}q8`, texts);
      return fp32.map((v, i) => cosine(v, q8[i]!));
    };
    const same = await cosines('');
    const different = await cosines('disagree-');
    expect(vectorsAgree(same)).toBe(true);
    expect(vectorsAgree(different)).toBe(false);
    for (const c of different) expect(Math.abs(c)).toBeLessThan(MIN_AGREEMENT_COSINE / 2);
  });
});
