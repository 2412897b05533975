import {
  Int8Rows,
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
    const count = vectors.length / this.dim;
    this.#reserve(this.#rows + count);
    let slot = this.#slotOf.get(docId);
    if (slot === undefined) {
      slot = this.#docIds.length;
      this.#docIds.push(docId);
      this.#slotOf.set(docId, slot);
    }
    const at = this.#rows;
    const inv = inverseNorms(vectors, this.dim, count);
    this.#data.set(vectors, at * this.dim);
    this.#invNorms.set(inv, at);
    this.#docSlot.fill(slot, at, at + count);
    for (let i = 0; i < count; i++) {
      const row = at + i;
      this.#ordinal[row] = firstOrdinal + i;
      const q = quantizeInto(
        vectors,
        i * this.dim,
        this.dim,
        this.#codes.codes,
        row * this.#codes.stride,
      );
      this.#scales[row] = q.scale * inv[i]!;
      this.#codeNorms[row] = q.codeNorm * inv[i]!;
      this.#errorNorms[row] = q.errorNorm * inv[i]!;
    }
    this.#rows += count;
  }

  /** Removes every row of `docId`, keeping the others contiguous; returns how many went. */
  remove(docId: string): number {
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
    if (method === 'scan') {
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
