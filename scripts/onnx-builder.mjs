// Writes small ONNX models by hand, for the test model generators (make-tiny-embedder.mjs,
// make-tiny-reranker.mjs). Only Node built-ins: the protobuf encoding follows onnx.proto3.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPSET = 17;
export const IR_VERSION = 8; // the IR version that introduced opset 17
const MANIFEST = 'manifest.json';
const SELF_PATH = fileURLToPath(import.meta.url);

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

export const DataType = { FLOAT: 1, INT8: 3, INT64: 7 };
const AttributeType = { INT: 2 };

/**
 * TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian).
 * @param {string} name @param {number} dataType @param {number[]} dims @param {Uint8Array} raw
 */
export const tensor = (name, dataType, dims, raw) => [
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
export const valueInfo = (name, elemType, shape) => [
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

/** The dynamic dimensions of a BERT model's inputs. */
export const BATCH = 'batch_size';
export const BERT_DIMS = [BATCH, 'sequence_length'];

/** The three int64 inputs transformers.js feeds a BERT model when the session declares them. */
export const bertInputs = () => [
  valueInfo('input_ids', DataType.INT64, BERT_DIMS),
  valueInfo('attention_mask', DataType.INT64, BERT_DIMS),
  valueInfo('token_type_ids', DataType.INT64, BERT_DIMS),
];

/**
 * NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (AttributeProto: name 1, i 3,
 * type 20).
 * @param {string} opType @param {string[]} inputs @param {string[]} outputs
 * @param {Record<string, number>} [intAttrs]
 */
export const node = (opType, inputs, outputs, intAttrs = {}) => [
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
 * @param {{ producer: string, name: string, doc: string, nodes: Uint8Array[][],
 *   initializers: Uint8Array[][], inputs: Uint8Array[][], outputs: Uint8Array[][] }} g
 */
export function model({ producer, name, doc, nodes, initializers, inputs, outputs }) {
  const graph = [
    ...nodes.map((n) => msg(1, n)),
    str(2, name),
    ...initializers.map((t) => msg(5, t)),
    str(10, doc),
    ...inputs.map((v) => msg(11, v)),
    ...outputs.map((v) => msg(12, v)),
  ];
  return Buffer.concat([
    int(1, IR_VERSION),
    str(2, producer),
    str(3, '1'),
    msg(7, graph),
    msg(8, [str(1, ''), int(2, OPSET)]),
  ]);
}

// --- Weights ----------------------------------------------------------------------------------

/** A seeded PRNG: uniform in [0, 1). @param {number} seed */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {Float32Array} values */
export function float32LE(values) {
  const out = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => out.setFloat32(i * 4, v, true));
  return new Uint8Array(out.buffer);
}

/** @param {number[]} values */
export function int64LE(values) {
  const out = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => out.setBigInt64(i * 8, BigInt(v), true));
  return new Uint8Array(out.buffer);
}

/**
 * Symmetric per-tensor int8 quantization (zero point 0), as dynamic quantizers do.
 * @param {Float32Array} table
 */
export function quantize(table) {
  let maxAbs = 0;
  for (const v of table) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = Math.fround(maxAbs / 127);
  const q = new Int8Array(table.length);
  table.forEach((v, i) => (q[i] = Math.max(-127, Math.min(127, Math.round(v / scale)))));
  return { q, scale };
}

/**
 * The initializers and the DequantizeLinear node that turn `<name>_int8` back into float `name`.
 * @param {string} name @param {number[]} dims @param {Float32Array} values
 */
export function quantizedInitializer(name, dims, values) {
  const { q, scale } = quantize(values);
  return {
    node: node('DequantizeLinear', [`${name}_int8`, `${name}_scale`, `${name}_zero_point`], [name]),
    initializers: [
      tensor(`${name}_int8`, DataType.INT8, dims, new Uint8Array(q.buffer)),
      tensor(`${name}_scale`, DataType.FLOAT, [], float32LE(Float32Array.of(scale))),
      tensor(`${name}_zero_point`, DataType.INT8, [], Uint8Array.of(0)),
    ],
  };
}

// --- Files ------------------------------------------------------------------------------------

/** @param {Uint8Array | string} data */
export const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/**
 * A generator's identity: the hash of its script and of this file, plus its options. The files a
 * generator wrote are rewritten whenever any of these change.
 * @param {string} scriptPath @param {string} [options]
 */
export async function generatorId(scriptPath, options = '') {
  const sources = await Promise.all([readFile(scriptPath), readFile(SELF_PATH)]);
  return sha256(Buffer.concat(sources)) + options;
}

/**
 * Up to date when the manifest was written by this exact generator and every file still matches.
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
 * Writes the files `build()` returns into `onnxDir`, with a manifest of their hashes, unless the
 * manifest says `generator` already wrote exactly these.
 * @param {string} onnxDir
 * @param {{ generator: string, force?: boolean, names: string[],
 *   build: () => Record<string, Uint8Array> }} options `names`: the files `build` returns
 * @returns {Promise<{ skipped: boolean, files: { path: string, bytes: number }[] }>}
 */
export async function writeOnnxFiles(onnxDir, { generator, force = false, names, build }) {
  if (!force && (await isUpToDate(onnxDir, generator))) {
    const files = [];
    for (const name of names) {
      const file = path.join(onnxDir, name);
      files.push({ path: file, bytes: (await stat(file)).size });
    }
    return { skipped: true, files };
  }
  await mkdir(onnxDir, { recursive: true });
  const files = [];
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const [name, data] of Object.entries(build())) {
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
