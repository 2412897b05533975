/**
 * Whether a GGUF file holds all of its tensor data: llama.cpp (in wllama 3.8) does not fail a
 * load cleanly when a model file is cut short — the load never ends — so the app reads the
 * file's own table of tensors first and compares where the last one ends with the file's size.
 *
 * Layout (little-endian, GGUF v2/v3): magic, version, tensor count, metadata count (uint64);
 * the metadata key-value pairs; per tensor its name, dimensions, type and offset; then, aligned
 * to `general.alignment` (32 by default), the tensor data. Version 1 (uint32 counts) is old
 * enough that this check leaves such files to llama.cpp.
 */

/** Block size (elements) and bytes per block of each ggml tensor type, by type id. */
const TYPE_SIZES: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
};

/** Metadata value types: 0–7 and 10–12 are fixed-size numbers (bytes), 8 string, 9 array. */
const FIXED = new Map([
  [0, 1],
  [1, 1],
  [2, 2],
  [3, 2],
  [4, 4],
  [5, 4],
  [6, 4],
  [7, 1],
  [10, 8],
  [11, 8],
  [12, 8],
]);

class OutOfBytes extends Error {}
class Malformed extends Error {}

class Reader {
  offset = 0;
  readonly #view: DataView;
  constructor(bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  #need(n: number) {
    if (this.offset + n > this.#view.byteLength) throw new OutOfBytes();
  }
  u32() {
    this.#need(4);
    const value = this.#view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }
  u64() {
    this.#need(8);
    const value = this.#view.getBigUint64(this.offset, true);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed();
    return Number(value);
  }
  skip(n: number) {
    this.#need(n);
    this.offset += n;
  }
  string(): string {
    const length = this.u64();
    this.#need(length);
    const bytes = new Uint8Array(this.#view.buffer, this.#view.byteOffset + this.offset, length);
    this.offset += length;
    return new TextDecoder().decode(bytes);
  }
  /** Skips one metadata value of `type`; returns it when it is a small unsigned integer. */
  value(type: number): number | undefined {
    const size = FIXED.get(type);
    if (size !== undefined) {
      this.#need(size);
      const value = type === 4 ? this.#view.getUint32(this.offset, true) : undefined;
      this.offset += size;
      return value;
    }
    if (type === 8) {
      this.skip(this.u64());
      return undefined;
    }
    if (type !== 9) throw new Malformed();
    const itemType = this.u32();
    const count = this.u64();
    const itemSize = FIXED.get(itemType);
    if (itemSize !== undefined) this.skip(count * itemSize);
    else for (let i = 0; i < count; i++) this.value(itemType);
    return undefined;
  }
}

/** Bytes the header (metadata and tensor table) needs, and where the tensor data must end. */
function readLayout(bytes: Uint8Array): { dataEnd: number } | 'unsupported' {
  const r = new Reader(bytes);
  r.skip(4);
  const version = r.u32();
  if (version < 2) return 'unsupported';
  const tensors = r.u64();
  const metadata = r.u64();
  let alignment = 32;
  for (let i = 0; i < metadata; i++) {
    const key = r.string();
    const value = r.value(r.u32());
    if (key === 'general.alignment' && value) alignment = value;
  }
  let end = 0;
  for (let i = 0; i < tensors; i++) {
    r.string();
    const dims = r.u32();
    if (dims > 8) throw new Malformed();
    let elements = 1;
    for (let d = 0; d < dims; d++) elements *= r.u64();
    const type = r.u32();
    const offset = r.u64();
    const size = TYPE_SIZES[type];
    // An unknown (newer) type: at least its start must be in the file.
    const bytesOf = size ? Math.ceil(elements / size[0]) * size[1] : 0;
    end = Math.max(end, offset + bytesOf);
  }
  const dataStart = Math.ceil(r.offset / alignment) * alignment;
  return { dataEnd: dataStart + end };
}

/** Reads up to this much of the file for its header; real vocabularies take a few MB. */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;

/**
 * Why `file` (a GGUF model whose first bytes passed `ggufHeaderProblem`) cannot be complete,
 * or null when its tensor table fits in it.
 */
export async function ggufLayoutProblem(file: Blob): Promise<string | null> {
  for (let length = Math.min(file.size, 1 << 20); ; length = Math.min(file.size, length * 4)) {
    const bytes = new Uint8Array(await file.slice(0, length).arrayBuffer());
    try {
      const layout = readLayout(bytes);
      if (layout === 'unsupported' || layout.dataEnd <= file.size) return null;
      return `it is cut short: its tensors end at byte ${layout.dataEnd.toLocaleString('en')}, but the file has ${file.size.toLocaleString('en')} bytes`;
    } catch (error) {
      if (error instanceof Malformed) return 'its header is damaged';
      if (!(error instanceof OutOfBytes)) throw error;
      if (length >= file.size) return 'it is cut short inside its header';
      if (length >= MAX_HEADER_BYTES) return null;
    }
  }
}
