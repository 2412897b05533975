import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AutoModelForSequenceClassification,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyReranker } from './make-tiny-reranker.mjs';

const TOKENIZER = fileURLToPath(
  new URL('../test/fixtures/models/grounded-test/tiny-embedder/', import.meta.url),
);

let root: string;
let modelDir: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tiny-reranker-'));
  modelDir = path.join(root, 'grounded-test', 'tiny-reranker');
  await makeTinyReranker(modelDir, { tokenizerFrom: TOKENIZER });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('makeTinyReranker', () => {
  it('writes the same bytes on every run, and skips work when up to date', async () => {
    const read = () =>
      Promise.all(
        ['model.onnx', 'model_quantized.onnx'].map((f) => readFile(path.join(modelDir, 'onnx', f))),
      );
    const first = await read();
    expect(await makeTinyReranker(modelDir, { tokenizerFrom: TOKENIZER })).toMatchObject({
      skipped: true,
    });
    const forced = await makeTinyReranker(modelDir, { tokenizerFrom: TOKENIZER, force: true });
    expect(forced.skipped).toBe(false);
    const second = await read();
    expect(second[0]!.equals(first[0]!)).toBe(true);
    expect(second[1]!.equals(first[1]!)).toBe(true);
    const config = JSON.parse(await readFile(path.join(modelDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      architectures: ['BertForSequenceClassification'],
      id2label: { 0: 'LABEL_0' },
    });
  });
});

describe('the tiny reranker in transformers.js', () => {
  let tokenizer: PreTrainedTokenizer;
  const models: Partial<Record<'fp32' | 'q8', PreTrainedModel>> = {};

  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = root;
    // Keep transformers.js from caching the model under node_modules.
    env.useFSCache = false;
    tokenizer = await AutoTokenizer.from_pretrained('grounded-test/tiny-reranker');
    for (const dtype of ['fp32', 'q8'] as const) {
      models[dtype] = await AutoModelForSequenceClassification.from_pretrained(
        'grounded-test/tiny-reranker',
        { dtype },
      );
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(models).map((m) => m?.dispose()));
  });

  const score = async (dtype: 'fp32' | 'q8', pairs: [string, string][]) => {
    const inputs = tokenizer(
      pairs.map(([q]) => q),
      { text_pair: pairs.map(([, p]) => p), padding: true, truncation: true },
    );
    const { logits } = (await models[dtype]!(inputs)) as { logits: Tensor };
    expect(logits.dims).toEqual([pairs.length, 1]);
    return Array.from(logits.data as Float32Array);
  };

  it('computes the weighted word overlap it documents', async () => {
    for (const dtype of ['fp32', 'q8'] as const) {
      // w = the weight of "walnut"; the denominator is 1 + the passage's words.
      const [alone, twiceInQuery, diluted, unrelated, punctuated] = await score(dtype, [
        ['walnut', 'walnut'], // w / 2
        ['walnut walnut', 'walnut'], // 2w / 2
        ['walnut', 'walnut lamp lamp'], // w / 4
        ['walnut', 'green lamp'], // 0
        ['Walnut?', 'WALNUT'], // lowercased; "?" is a word that the passage lacks: w / 2
      ]);
      expect(alone).toBeGreaterThanOrEqual(0.25);
      expect(alone).toBeLessThan(0.75);
      expect(twiceInQuery).toBeCloseTo(2 * alone!, 5);
      expect(diluted).toBeCloseTo(alone! / 2, 5);
      expect(unrelated).toBe(0);
      expect(punctuated).toBeCloseTo(alone!, 5);
    }
  });

  it('gives close scores in q8 and fp32', async () => {
    const pairs: [string, string][] = [
      ['paid leave', 'Employees receive 31 days of paid leave each year.'],
      ['desk lamp', 'Every engineer gets a walnut standing desk and a green lamp.'],
    ];
    const fp32 = await score('fp32', pairs);
    const q8 = await score('q8', pairs);
    fp32.forEach((s, i) => expect(q8[i]).toBeCloseTo(s, 2));
  });
});
