#!/usr/bin/env node
// Writes a tiny cross-encoder reranker so tests can run the real transformers.js loading and
// text-pair scoring code without downloadable weights. It is shaped like
// cross-encoder/ms-marco-MiniLM-L-6-v2 (BertForSequenceClassification, one label, the same
// tokenizer) but computes a weighted word overlap instead of attention:
//
//   logits[b, 0] = Σ_{i in query words} Σ_{j in passage words} w[id_i]·[id_i = id_j]
//                  / (1 + number of passage words)
//
// where query words are the tokens with token_type_ids 0, passage words those with 1, both
// restricted to attention_mask 1 and to real tokens (id ≥ 999: not [PAD], [CLS], [SEP], [UNK],
// [MASK] or [unusedN]), and w is a seeded random weight in [0.5, 1.5) per vocabulary entry. A
// passage containing the query's words scores higher, padding changes nothing, so a batch gives
// the scores of one-by-one calls.
//
//   node scripts/make-tiny-reranker.mjs [outDir] [--force]
//
// outDir is the model folder: the tokenizer files are copied from the tiny embedder's folder,
// config.json is written, and the ONNX files go in outDir/onnx/.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BATCH,
  DataType,
  bertInputs,
  float32LE,
  generatorId,
  int64LE,
  model,
  mulberry32,
  node,
  quantizedInitializer,
  tensor,
  valueInfo,
  writeOnnxFiles,
} from './onnx-builder.mjs';

const VOCAB_SIZE = 30_522;
/** The first id that is a real token in the uncased BERT vocabulary ("!"). */
const FIRST_WORD_ID = 999;
const SEED = 0x5e4a7c3;
const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
];

const SCRIPT_PATH = fileURLToPath(import.meta.url);
const MODELS_DIR = path.resolve(path.dirname(SCRIPT_PATH), '../test/fixtures/models/grounded-test');
const DEFAULT_DIR = path.join(MODELS_DIR, 'tiny-reranker');
const DEFAULT_TOKENIZER_DIR = path.join(MODELS_DIR, 'tiny-embedder');

/**
 * cross-encoder/ms-marco-MiniLM-L-6-v2's configuration (as published in
 * Xenova/ms-marco-MiniLM-L-6-v2), naming this folder. transformers.js reads `model_type` and the
 * labels; the rest describes the real model, not these weights.
 */
const CONFIG = {
  _name_or_path: 'grounded-test/tiny-reranker',
  architectures: ['BertForSequenceClassification'],
  attention_probs_dropout_prob: 0.1,
  classifier_dropout: null,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  hidden_size: 384,
  id2label: { 0: 'LABEL_0' },
  initializer_range: 0.02,
  intermediate_size: 1536,
  label2id: { LABEL_0: 0 },
  layer_norm_eps: 1e-12,
  max_position_embeddings: 512,
  model_type: 'bert',
  num_attention_heads: 12,
  num_hidden_layers: 6,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  sbert_ce_default_activation_function: 'torch.nn.modules.linear.Identity',
  type_vocab_size: 2,
  use_cache: true,
  vocab_size: VOCAB_SIZE,
};

/** @returns {Record<string, Buffer>} file name (under onnx/) to bytes */
function buildModels() {
  const rand = mulberry32(SEED);
  const weights = new Float32Array(VOCAB_SIZE);
  for (let i = 0; i < weights.length; i++) weights[i] = 0.5 + rand();
  const quantized = quantizedInitializer('weights', [VOCAB_SIZE], weights);
  const constants = [
    tensor('last_special_id', DataType.INT64, [], int64LE([FIRST_WORD_ID - 1])),
    tensor('one', DataType.FLOAT, [], float32LE(Float32Array.of(1))),
    tensor('axis_1', DataType.INT64, [1], int64LE([1])),
    tensor('axis_2', DataType.INT64, [1], int64LE([2])),
  ];
  const FLOAT = { to: DataType.FLOAT };
  const overlap = [
    // Which positions count: real tokens, not padding, split by segment. [b, s]
    node('Greater', ['input_ids', 'last_special_id'], ['is_word_bool']),
    node('Cast', ['is_word_bool'], ['is_word'], FLOAT),
    node('Cast', ['attention_mask'], ['mask'], FLOAT),
    node('Cast', ['token_type_ids'], ['segment'], FLOAT),
    node('Mul', ['is_word', 'mask'], ['word']),
    node('Mul', ['word', 'segment'], ['passage_word']),
    node('Sub', ['one', 'segment'], ['query_segment']),
    node('Mul', ['word', 'query_segment'], ['query_word']),
    node('Gather', ['weights', 'input_ids'], ['weight'], { axis: 0 }),
    node('Mul', ['query_word', 'weight'], ['query_weight']),
    // same[b, i, j] = input_ids[b, i] == input_ids[b, j]. [b, s, s]
    node('Unsqueeze', ['input_ids', 'axis_2'], ['ids_column']),
    node('Unsqueeze', ['input_ids', 'axis_1'], ['ids_row']),
    node('Equal', ['ids_column', 'ids_row'], ['same_bool']),
    node('Cast', ['same_bool'], ['same'], FLOAT),
    // Σ_i Σ_j query_weight[i]·same[i, j]·passage_word[j]. [b, 1, s] → [b, 1, 1] → [b, 1]
    node('Unsqueeze', ['query_weight', 'axis_1'], ['query_weight_row']),
    node('MatMul', ['query_weight_row', 'same'], ['hits']),
    node('Unsqueeze', ['passage_word', 'axis_2'], ['passage_word_column']),
    node('MatMul', ['hits', 'passage_word_column'], ['matched']),
    node('ReduceSum', ['matched', 'axis_2'], ['total'], { keepdims: 0 }),
    node('ReduceSum', ['passage_word', 'axis_1'], ['passage_length'], { keepdims: 1 }),
    node('Add', ['passage_length', 'one'], ['denominator']),
    node('Div', ['total', 'denominator'], ['logits']),
  ];
  const graph = {
    producer: 'grounded/make-tiny-reranker',
    doc:
      'Test cross-encoder: logits[b, 0] = Σ over query words i and passage words j of ' +
      'weights[id_i]·[id_i = id_j], divided by 1 + the number of passage words. Words are ' +
      'tokens with id ≥ 999 and attention_mask 1; query words have token_type_ids 0, passage ' +
      'words 1. Random weights; generated by scripts/make-tiny-reranker.mjs.',
    inputs: bertInputs(),
    outputs: [valueInfo('logits', DataType.FLOAT, [BATCH, 1])],
  };
  return {
    'model.onnx': model({
      ...graph,
      name: 'tiny-reranker',
      nodes: overlap,
      initializers: [
        tensor('weights', DataType.FLOAT, [VOCAB_SIZE], float32LE(weights)),
        ...constants,
      ],
    }),
    'model_quantized.onnx': model({
      ...graph,
      name: 'tiny-reranker-int8',
      nodes: [quantized.node, ...overlap],
      initializers: [...quantized.initializers, ...constants],
    }),
  };
}

/**
 * Writes `file` unless it already holds `data`; atomically, as a mirror may be serving it.
 * @param {string} file @param {Uint8Array} data
 */
async function writeIfChanged(file, data) {
  const current = await readFile(file).catch(() => null);
  if (current?.equals(data)) return;
  await writeFile(`${file}.${process.pid}.tmp`, data);
  await rename(`${file}.${process.pid}.tmp`, file);
}

/**
 * Writes the tiny reranker's folder: tokenizer files copied from `tokenizerFrom` (the tiny
 * embedder's, the real MiniLM tokenizer), config.json, and `onnx/model.onnx` and
 * `onnx/model_quantized.onnx` unless they are up to date.
 * @param {string} [dir] the model folder
 * @param {{ force?: boolean, tokenizerFrom?: string }} [options]
 * @returns {Promise<{ skipped: boolean, files: { path: string, bytes: number }[] }>}
 */
export async function makeTinyReranker(
  dir = DEFAULT_DIR,
  { force = false, tokenizerFrom = DEFAULT_TOKENIZER_DIR } = {},
) {
  await mkdir(dir, { recursive: true });
  for (const name of TOKENIZER_FILES) {
    await writeIfChanged(path.join(dir, name), await readFile(path.join(tokenizerFrom, name)));
  }
  const config = Buffer.from(JSON.stringify(CONFIG, null, 2) + '\n');
  await writeIfChanged(path.join(dir, 'config.json'), config);
  return writeOnnxFiles(path.join(dir, 'onnx'), {
    generator: await generatorId(SCRIPT_PATH),
    force,
    names: ['model.onnx', 'model_quantized.onnx'],
    build: buildModels,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === SCRIPT_PATH) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const dir = args.find((a) => !a.startsWith('--'));
  const { skipped, files } = await makeTinyReranker(dir ? path.resolve(dir) : DEFAULT_DIR, {
    force,
  });
  for (const f of files) {
    const size = `${(f.bytes / 1024).toFixed(1)} KiB`;
    console.log(`${skipped ? 'up to date' : 'wrote'} ${path.relative('.', f.path)} (${size})`);
  }
}
