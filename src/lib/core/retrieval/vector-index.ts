import {
  Int8Rows,
  codeStride,
  quantizeInto,
  quantizedTopK,
  type QuantizedSearchStats,
} from './quantized-index';
import { inverseNorms, topKCosine, type TopK } from './top-k';

export interface VectorHit {
  docId: string;
  ordinal: number;
  score: number;
}

export interface VectorSearchOptions {
  /**
   * 'quantized' (the default) scores int8 codes first and rescores in Float32 only the rows that
   * could be in the top k; 'scan' scores every row in Float32. Both return the exact top k.
   */
  method?: 'quantized' | 'scan';
  /** Filled in by a quantized search. */
  stats?: QuantizedSearchStats;
}

/**
 * Rows as a VectorIndex keeps them: Float32 values, inverse norms, and int8 codes with their
 * scales and norms already divided by the row's norm. Computed once when vectors are stored
 * (see storage/vector-segments.ts), so opening a knowledge base copies instead of quantizing.
 */
export interface EncodedRows {
  dim: number;
  count: number;
  /** count × dim */
  vectors: Float32Array;
  /** count × codeStride(dim) */
  codes: Int8Array;
  invNorms: Float32Array;
  scales: Float32Array;
  codeNorms: Float32Array;
  errorNorms: Float32Array;
}

export function encodeRows(vectors: Float32Array, dim: number): EncodedRows {
  if (vectors.length % dim !== 0) {
    throw new RangeError(`${vectors.length} values are not a multiple of ${dim}.`);
  }
  const count = vectors.length / dim;
  const stride = codeStride(dim);
  const codes = new Int8Array(count * stride);
  const invNorms = inverseNorms(vectors, dim, count);
  const scales = new Float32Array(count);
  const codeNorms = new Float32Array(count);
  const errorNorms = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const q = quantizeInto(vectors, i * dim, dim, codes, i * stride);
    const inv = invNorms[i]!;
    scales[i] = q.scale * inv;
    codeNorms[i] = q.codeNorm * inv;
    errorNorms[i] = q.errorNorm * inv;
  }
  return { dim, count, vectors, codes, invNorms, scales, codeNorms, errorNorms };
}

/**
 * Every chunk vector of a knowledge base in one contiguous Float32Array, with the document and
 * chunk ordinal of each row, for exact cosine search. Rows of one document are added together
 * and removed together. Each row is also kept as int8 codes for a fast first pass (see
 * quantized-index.ts): about a quarter more memory for several times faster search.
 */
export class VectorIndex {
  readonly dim: number;
  #data: Float32Array;
  #invNorms: Float32Array;
  #docSlot: Int32Array;
  #ordinal: Uint32Array;
  #codes: Int8Rows;
  #scales: Float32Array;
  #codeNorms: Float32Array;
  #errorNorms: Float32Array;
  #rows = 0;
  #codesMissing = false;
  #docIds: (string | null)[] = [];
  #slotOf = new Map<string, number>();

  /** `simd: false` forces the plain-JavaScript first pass (for tests and benchmarks). */
  constructor(dim: number, capacity = 1024, { simd = true }: { simd?: boolean } = {}) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`Invalid dimension ${dim}.`);
    this.dim = dim;
    this.#data = new Float32Array(capacity * dim);
    this.#invNorms = new Float32Array(capacity);
    this.#docSlot = new Int32Array(capacity);
    this.#ordinal = new Uint32Array(capacity);
    this.#codes = new Int8Rows(dim, capacity, { simd });
    this.#scales = new Float32Array(capacity);
    this.#codeNorms = new Float32Array(capacity);
    this.#errorNorms = new Float32Array(capacity);
  }

  /**
   * An index over `rows`, taking its arrays as they are (no copy: a large knowledge base opens
   * without touching 150 MB twice); the codes are copied into the first pass's memory. `runs`
   * name the document and chunk ordinals of consecutive rows and must cover all of them.
   *
   * Without codes (`rows.codes` null) the index searches by the exact Float32 scan until
   * `attachCodes` gives them, so a knowledge base can be searched before its codes are read.
   */
  static fromEncoded(
    rows: Omit<EncodedRows, 'codes'> & { codes: Int8Array | null },
    runs: readonly { docId: string; firstOrdinal: number; count: number }[],
    options?: { simd?: boolean },
  ): VectorIndex {
    const { dim, count } = rows;
    if (runs.reduce((n, r) => n + r.count, 0) !== count) {
      throw new RangeError(`The runs do not cover the ${count} rows.`);
    }
    const index = new VectorIndex(dim, 1, options);
    index.#data = rows.vectors;
    index.#invNorms = rows.invNorms;
    index.#scales = rows.scales;
    index.#codeNorms = rows.codeNorms;
    index.#errorNorms = rows.errorNorms;
    index.#docSlot = new Int32Array(count);
    index.#ordinal = new Uint32Array(count);
    index.#codes.resize(count);
    let at = 0;
    for (const { docId, firstOrdinal, count: n } of runs) {
      let slot = index.#slotOf.get(docId);
      if (slot === undefined) {
        slot = index.#docIds.length;
        index.#docIds.push(docId);
        index.#slotOf.set(docId, slot);
      }
      index.#docSlot.fill(slot, at, at + n);
      for (let i = 0; i < n; i++) index.#ordinal[at + i] = firstOrdinal + i;
      at += n;
    }
    index.#rows = count;
    if (rows.codes) index.attachCodes(rows.codes);
    else index.#codesMissing = true;
    return index;
  }

  /** Whether the codes fromEncoded was given without have not been attached yet. */
  get codesMissing(): boolean {
    return this.#codesMissing;
  }

  /**
   * Gives an index made without codes the codes of the same rows, in the same order; from then
   * on it searches with the int8 first pass. Rows must not be added or removed before.
   */
  attachCodes(codes: Int8Array): void {
    const stride = this.#codes.stride;
    if (codes.length !== this.#rows * stride) {
      throw new RangeError(`${codes.length / stride} rows of codes for ${this.#rows} rows.`);
    }
    this.#codes.codes.set(codes);
    this.#codesMissing = false;
  }

  /** Whether the first pass runs on WebAssembly SIMD. */
  get simd(): boolean {
    return this.#codes.simd;
  }

  get size(): number {
    return this.#rows;
  }

  get documentCount(): number {
    return this.#slotOf.size;
  }

  has(docId: string): boolean {
    return this.#slotOf.has(docId);
  }

  /** Bytes held by the vectors, their codes and their row metadata. */
  get byteLength(): number {
    return (
      this.#data.byteLength +
      this.#invNorms.byteLength +
      this.#docSlot.byteLength +
      this.#ordinal.byteLength +
      this.#codes.byteLength +
      this.#scales.byteLength +
      this.#codeNorms.byteLength +
      this.#errorNorms.byteLength
    );
  }

  /** Appends `vectors` (count × dim, row-major) as chunks `firstOrdinal…` of `docId`. */
  add(docId: string, firstOrdinal: number, vectors: Float32Array): void {
    if (vectors.length % this.dim !== 0) {
      throw new RangeError(
        `Vectors of ${docId} have ${vectors.length} values, not a multiple of ${this.dim}.`,
      );
    }
    const rows = encodeRows(vectors, this.dim);
    this.addEncoded(docId, firstOrdinal, rows, 0, rows.count);
  }

  /** Appends rows from…from+count of `rows` as chunks `firstOrdinal…` of `docId`. */
  addEncoded(
    docId: string,
    firstOrdinal: number,
    rows: EncodedRows,
    from: number,
    count: number,
  ): void {
    this.#checkCodes();
    if (rows.dim !== this.dim) {
      throw new RangeError(`Vectors of ${docId} have ${rows.dim} dimensions, not ${this.dim}.`);
    }
    if (from < 0 || count < 0 || from + count > rows.count) {
      throw new RangeError(`Rows ${from}…${from + count} of ${docId} are out of range.`);
    }
    this.#reserve(this.#rows + count);
    let slot = this.#slotOf.get(docId);
    if (slot === undefined) {
      slot = this.#docIds.length;
      this.#docIds.push(docId);
      this.#slotOf.set(docId, slot);
    }
    const at = this.#rows;
    const dim = this.dim;
    const stride = this.#codes.stride;
    const end = from + count;
    this.#data.set(rows.vectors.subarray(from * dim, end * dim), at * dim);
    this.#codes.codes.set(rows.codes.subarray(from * stride, end * stride), at * stride);
    this.#invNorms.set(rows.invNorms.subarray(from, end), at);
    this.#scales.set(rows.scales.subarray(from, end), at);
    this.#codeNorms.set(rows.codeNorms.subarray(from, end), at);
    this.#errorNorms.set(rows.errorNorms.subarray(from, end), at);
    this.#docSlot.fill(slot, at, at + count);
    for (let i = 0; i < count; i++) this.#ordinal[at + i] = firstOrdinal + i;
    this.#rows += count;
  }

  /** Removes every row of `docId`, keeping the others contiguous; returns how many went. */
  remove(docId: string): number {
    this.#checkCodes();
    const slot = this.#slotOf.get(docId);
    if (slot === undefined) return 0;
    const dim = this.dim;
    const stride = this.#codes.stride;
    const codes = this.#codes.codes;
    let write = 0;
    for (let read = 0; read < this.#rows; read++) {
      if (this.#docSlot[read] === slot) continue;
      if (write !== read) {
        this.#data.copyWithin(write * dim, read * dim, (read + 1) * dim);
        this.#invNorms[write] = this.#invNorms[read]!;
        this.#docSlot[write] = this.#docSlot[read]!;
        this.#ordinal[write] = this.#ordinal[read]!;
        codes.copyWithin(write * stride, read * stride, (read + 1) * stride);
        this.#scales[write] = this.#scales[read]!;
        this.#codeNorms[write] = this.#codeNorms[read]!;
        this.#errorNorms[write] = this.#errorNorms[read]!;
      }
      write++;
    }
    const removed = this.#rows - write;
    this.#rows = write;
    this.#slotOf.delete(docId);
    this.#docIds[slot] = null;
    return removed;
  }

  clear(): void {
    this.#rows = 0;
    this.#docIds = [];
    this.#slotOf.clear();
  }

  /** The k rows most similar to `query` by cosine, best first; ties keep the earlier row. */
  search(query: Float32Array, k: number, options: VectorSearchOptions = {}): VectorHit[] {
    const { rows, scores } = this.#topK(query, k, options);
    return Array.from(rows, (row, i) => ({
      docId: this.#docIds[this.#docSlot[row]!]!,
      ordinal: this.#ordinal[row]!,
      score: scores[i]!,
    }));
  }

  #topK(query: Float32Array, k: number, { method, stats }: VectorSearchOptions): TopK {
    if (method === 'scan' || this.#codesMissing) {
      return topKCosine(this.#data, this.dim, this.#rows, this.#invNorms, query, k);
    }
    return quantizedTopK(
      {
        data: this.#data,
        dim: this.dim,
        rows: this.#rows,
        invNorms: this.#invNorms,
        codes: this.#codes,
        scales: this.#scales,
        codeNorms: this.#codeNorms,
        errorNorms: this.#errorNorms,
      },
      query,
      k,
      stats,
    );
  }

  #checkCodes(): void {
    if (this.#codesMissing) {
      throw new Error('The index is waiting for its codes (attachCodes) and cannot change yet.');
    }
  }

  #reserve(rows: number): void {
    const capacity = this.#invNorms.length;
    if (rows <= capacity) return;
    const next = Math.max(rows, Math.ceil(capacity * 1.5));
    const grow = <T extends Float32Array | Int32Array | Uint32Array>(old: T, size: number): T => {
      const array = new (old.constructor as new (n: number) => T)(size);
      array.set(old);
      return array;
    };
    this.#data = grow(this.#data, next * this.dim);
    this.#invNorms = grow(this.#invNorms, next);
    this.#docSlot = grow(this.#docSlot, next);
    this.#ordinal = grow(this.#ordinal, next);
    this.#codes.resize(next, this.#rows);
    this.#scales = grow(this.#scales, next);
    this.#codeNorms = grow(this.#codeNorms, next);
    this.#errorNorms = grow(this.#errorNorms, next);
  }
}
