#!/usr/bin/env node
// Writes a tiny BERT-shaped ONNX embedding model so tests can run the real transformers.js loading
// and inference code without downloadable weights. The "model" is a random table looked up by
// token id: mean pooling then acts like a bag of words, so texts sharing words score higher.
//
//   node scripts/make-tiny-embedder.mjs [outDir] [--force]
//
// outDir is a Hugging Face-shaped model folder (tokenizer and config already in it); the ONNX files
// go in outDir/onnx/. Only Node built-ins: the protobuf encoding is written by hand (onnx.proto3).

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HIDDEN_SIZE = 384; // all-MiniLM-L6-v2's, so the app sees the dimension it expects
const TABLE_ROWS = 4096; // token ids are reduced mod this; collisions are rare enough for tests
const SEED = 0x6e0d1e5;
const TOKENIZER_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
];
const OPSET = 17;
const IR_VERSION = 8; // the IR version that introduced opset 17

const SCRIPT_PATH = fileURLToPath(import.meta.url);
const DEFAULT_DIR = path.resolve(
  path.dirname(SCRIPT_PATH),
  '../test/fixtures/models/grounded-test/tiny-embedder',
);
const MANIFEST = 'manifest.json';

// --- Protobuf wire format --------------------------------------------------------------------

/** @param {number} n non-negative integer below 2^53 */
function varint(n) {
  const bytes = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** @param {number} field @param {number} value */
const int = (field, value) => Buffer.concat([varint(field << 3), varint(value)]);

/** @param {number} field @param {Uint8Array} data */
const bytes = (field, data) => Buffer.concat([varint((field << 3) | 2), varint(data.length), data]);

/** @param {number} field @param {string} text */
const str = (field, text) => bytes(field, Buffer.from(text, 'utf8'));

/** @param {number} field @param {Uint8Array[]} parts */
const msg = (field, parts) => bytes(field, Buffer.concat(parts));

// --- ONNX messages (field numbers from onnx.proto3) -------------------------------------------

const DataType = { FLOAT: 1, INT8: 3, INT64: 7 };
const AttributeType = { INT: 2 };

/**
 * TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian).
 * @param {string} name @param {number} dataType @param {number[]} dims @param {Uint8Array} raw
 */
const tensor = (name, dataType, dims, raw) => [
  ...dims.map((d) => int(1, d)),
  int(2, dataType),
  str(8, name),
  bytes(9, raw),
];

/**
 * ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2 } } },
 * TensorShapeProto.dim 1: Dimension { dim_value 1 | dim_param 2 }.
 * @param {string} name @param {number} elemType @param {(number | string)[]} shape
 */
const valueInfo = (name, elemType, shape) => [
  str(1, name),
  msg(2, [
    msg(1, [
      int(1, elemType),
      msg(
        2,
        shape.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)])),
      ),
    ]),
  ]),
];

/**
 * NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (AttributeProto: name 1, i 3,
 * type 20).
 * @param {string} opType @param {string[]} inputs @param {string[]} outputs
 * @param {Record<string, number>} [intAttrs]
 */
const node = (opType, inputs, outputs, intAttrs = {}) => [
  ...inputs.map((x) => str(1, x)),
  ...outputs.map((x) => str(2, x)),
  str(3, `${opType}_${outputs[0]}`),
  str(4, opType),
  ...Object.entries(intAttrs).map(([name, i]) =>
    msg(5, [str(1, name), int(3, i), int(20, AttributeType.INT)]),
  ),
];

/**
 * ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8
 * (OperatorSetIdProto: domain 1, version 2); GraphProto: node 1, name 2, initializer 5, doc_string
 * 10, input 11, output 12.
 * @param {{ name: string, doc: string, hiddenSize: number, nodes: Uint8Array[][], initializers: Uint8Array[][] }} g
 */
function model({ name, doc, hiddenSize, nodes, initializers }) {
  const dims = ['batch_size', 'sequence_length'];
  const graph = [
    ...nodes.map((n) => msg(1, n)),
    str(2, name),
    ...initializers.map((t) => msg(5, t)),
    str(10, doc),
    // transformers.js feeds all three when the session declares them; ONNX Runtime accepts
    // graph inputs that no node consumes, so attention_mask and token_type_ids stay unused.
    msg(11, valueInfo('input_ids', DataType.INT64, dims)),
    msg(11, valueInfo('attention_mask', DataType.INT64, dims)),
    msg(11, valueInfo('token_type_ids', DataType.INT64, dims)),
    msg(12, valueInfo('last_hidden_state', DataType.FLOAT, [...dims, hiddenSize])),
  ];
  return Buffer.concat([
    int(1, IR_VERSION),
    str(2, 'grounded/make-tiny-embedder'),
    str(3, '1'),
    msg(7, graph),
    msg(8, [str(1, ''), int(2, OPSET)]),
  ]);
}

// --- The embedding table ----------------------------------------------------------------------

/** @param {number} seed */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal samples (Box-Muller), rounded to float32.
 * @param {number} hiddenSize @param {number} seed
 */
function gaussianTable(hiddenSize, seed) {
  const rand = mulberry32(seed);
  const table = new Float32Array(TABLE_ROWS * hiddenSize);
  for (let i = 0; i < table.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())); // 1 - rand() is in (0, 1]: no log(0)
    const theta = 2 * Math.PI * rand();
    table[i] = r * Math.cos(theta);
    table[i + 1] = r * Math.sin(theta);
  }
  return table;
}

/** @param {Float32Array} values */
function float32LE(values) {
  const out = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => out.setFloat32(i * 4, v, true));
  return new Uint8Array(out.buffer);
}

/** @param {number[]} values */
function int64LE(values) {
  const out = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => out.setBigInt64(i * 8, BigInt(v), true));
  return new Uint8Array(out.buffer);
}

/**
 * Symmetric per-tensor int8 quantization (zero point 0), as dynamic quantizers do.
 * @param {Float32Array} table
 */
function quantize(table) {
  let maxAbs = 0;
  for (const v of table) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = Math.fround(maxAbs / 127);
  const q = new Int8Array(table.length);
  table.forEach((v, i) => (q[i] = Math.max(-127, Math.min(127, Math.round(v / scale)))));
  return { q, scale };
}

/**
 * @param {number} hiddenSize @param {number} seed
 * @returns {Record<string, Buffer>} file name (under onnx/) to bytes
 */
function buildModels(hiddenSize, seed) {
  const table = gaussianTable(hiddenSize, seed);
  const { q, scale } = quantize(table);
  const rows = tensor('table_rows', DataType.INT64, [], int64LE([TABLE_ROWS]));
  const lookup = [
    node('Mod', ['input_ids', 'table_rows'], ['row']),
    node('Gather', ['embeddings', 'row'], ['last_hidden_state'], { axis: 0 }),
  ];
  const doc =
    'Test model: last_hidden_state[b, s] = embeddings[input_ids[b, s] mod table_rows]. ' +
    'Random weights; generated by scripts/make-tiny-embedder.mjs.';
  return {
    'model.onnx': model({
      name: 'tiny-embedder',
      doc,
      hiddenSize,
      nodes: lookup,
      initializers: [
        tensor('embeddings', DataType.FLOAT, [TABLE_ROWS, hiddenSize], float32LE(table)),
        rows,
      ],
    }),
    'model_quantized.onnx': model({
      name: 'tiny-embedder-int8',
      doc,
      hiddenSize,
      nodes: [
        node(
          'DequantizeLinear',
          ['embeddings_int8', 'embeddings_scale', 'embeddings_zero_point'],
          ['embeddings'],
        ),
        ...lookup,
      ],
      initializers: [
        tensor(
          'embeddings_int8',
          DataType.INT8,
          [TABLE_ROWS, hiddenSize],
          new Uint8Array(q.buffer),
        ),
        tensor('embeddings_scale', DataType.FLOAT, [], float32LE(Float32Array.of(scale))),
        tensor('embeddings_zero_point', DataType.INT8, [], Uint8Array.of(0)),
        rows,
      ],
    }),
  };
}

// --- Files ------------------------------------------------------------------------------------

/** @param {Uint8Array} data */
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/**
 * Up to date when the manifest was written by this exact script and every file still matches it.
 * @param {string} onnxDir @param {string} generator
 */
async function isUpToDate(onnxDir, generator) {
  try {
    const manifest = JSON.parse(await readFile(path.join(onnxDir, MANIFEST), 'utf8'));
    if (manifest.generator !== generator) return false;
    for (const [name, hash] of Object.entries(manifest.files)) {
      if (sha256(await readFile(path.join(onnxDir, name))) !== hash) return false;
    }
    return Object.keys(manifest.files).length > 0;
  } catch {
    return false;
  }
}

/**
 * Writes `<dir>/onnx/model.onnx` and `<dir>/onnx/model_quantized.onnx` unless they are up to date.
 * `hiddenSize` and `seed` make a different model (e.g. to test switching models).
 * @param {string} [dir] the model folder
 * @param {{ force?: boolean, hiddenSize?: number, seed?: number }} [options]
 * @returns {Promise<{ skipped: boolean, files: { path: string, bytes: number }[] }>}
 */
export async function makeTinyEmbedder(
  dir = DEFAULT_DIR,
  { force = false, hiddenSize = HIDDEN_SIZE, seed = SEED } = {},
) {
  const onnxDir = path.join(dir, 'onnx');
  const options = hiddenSize === HIDDEN_SIZE && seed === SEED ? '' : `:${hiddenSize}:${seed}`;
  const generator = sha256(await readFile(SCRIPT_PATH)) + options;
  if (!force && (await isUpToDate(onnxDir, generator))) {
    const files = [];
    for (const name of ['model.onnx', 'model_quantized.onnx']) {
      const file = path.join(onnxDir, name);
      files.push({ path: file, bytes: (await stat(file)).size });
    }
    return { skipped: true, files };
  }
  await mkdir(onnxDir, { recursive: true });
  const models = buildModels(hiddenSize, seed);
  const files = [];
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const [name, data] of Object.entries(models)) {
    const file = path.join(onnxDir, name);
    // Write then rename, so a concurrent reader never sees a half-written model.
    await writeFile(`${file}.${process.pid}.tmp`, data);
    await rename(`${file}.${process.pid}.tmp`, file);
    files.push({ path: file, bytes: data.length });
    hashes[name] = sha256(data);
  }
  const manifest = JSON.stringify({ generator, files: hashes }, null, 2) + '\n';
  await writeFile(path.join(onnxDir, MANIFEST), manifest);
  return { skipped: false, files };
}

/**
 * Every model the tests use, under `root` (test/fixtures/models): the tiny embedder, and a second
 * one with another dimension (its tokenizer copied from the first) for switching models.
 * @param {string} root
 */
export async function makeTestModels(root) {
  const first = path.join(root, 'grounded-test/tiny-embedder');
  const second = path.join(root, 'grounded-test/tiny-embedder-256');
  await mkdir(second, { recursive: true });
  for (const name of TOKENIZER_FILES) {
    await writeFile(path.join(second, name), await readFile(path.join(first, name)));
  }
  return [
    await makeTinyEmbedder(first),
    await makeTinyEmbedder(second, { hiddenSize: 256, seed: SEED + 1 }),
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === SCRIPT_PATH) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const dir = args.find((a) => !a.startsWith('--'));
  const { skipped, files } = await makeTinyEmbedder(dir ? path.resolve(dir) : DEFAULT_DIR, {
    force,
  });
  for (const f of files) {
    const size = `${(f.bytes / 1024).toFixed(1)} KiB`;
    console.log(`${skipped ? 'up to date' : 'wrote'} ${path.relative('.', f.path)} (${size})`);
  }
}
