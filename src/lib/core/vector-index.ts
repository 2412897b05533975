import { inverseNorms, topKCosine } from './top-k';

export interface VectorHit {
  docId: string;
  ordinal: number;
  score: number;
}

/**
 * Every chunk vector of a knowledge base in one contiguous Float32Array, with the document and
 * chunk ordinal of each row, for exact cosine search. Rows of one document are added together
 * and removed together.
 */
export class VectorIndex {
  readonly dim: number;
  #data: Float32Array;
  #invNorms: Float32Array;
  #docSlot: Int32Array;
  #ordinal: Uint32Array;
  #rows = 0;
  #docIds: (string | null)[] = [];
  #slotOf = new Map<string, number>();

  constructor(dim: number, capacity = 1024) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`Invalid dimension ${dim}.`);
    this.dim = dim;
    this.#data = new Float32Array(capacity * dim);
    this.#invNorms = new Float32Array(capacity);
    this.#docSlot = new Int32Array(capacity);
    this.#ordinal = new Uint32Array(capacity);
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

  /** Bytes held by the vectors and their row metadata. */
  get byteLength(): number {
    return (
      this.#data.byteLength +
      this.#invNorms.byteLength +
      this.#docSlot.byteLength +
      this.#ordinal.byteLength
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
    this.#data.set(vectors, at * this.dim);
    this.#invNorms.set(inverseNorms(vectors, this.dim, count), at);
    this.#docSlot.fill(slot, at, at + count);
    for (let i = 0; i < count; i++) this.#ordinal[at + i] = firstOrdinal + i;
    this.#rows += count;
  }

  /** Removes every row of `docId`, keeping the others contiguous; returns how many went. */
  remove(docId: string): number {
    const slot = this.#slotOf.get(docId);
    if (slot === undefined) return 0;
    const dim = this.dim;
    let write = 0;
    for (let read = 0; read < this.#rows; read++) {
      if (this.#docSlot[read] === slot) continue;
      if (write !== read) {
        this.#data.copyWithin(write * dim, read * dim, (read + 1) * dim);
        this.#invNorms[write] = this.#invNorms[read]!;
        this.#docSlot[write] = this.#docSlot[read]!;
        this.#ordinal[write] = this.#ordinal[read]!;
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

  search(query: Float32Array, k: number): VectorHit[] {
    const { rows, scores } = topKCosine(this.#data, this.dim, this.#rows, this.#invNorms, query, k);
    return Array.from(rows, (row, i) => ({
      docId: this.#docIds[this.#docSlot[row]!]!,
      ordinal: this.#ordinal[row]!,
      score: scores[i]!,
    }));
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
  }
}
