/**
 * Exact top-k by cosine similarity over vectors stored row after row in one Float32Array.
 */

export interface TopK {
  /** Row numbers, best first. */
  rows: Int32Array;
  /** Cosine similarities, matching `rows`. */
  scores: Float32Array;
}

/** Euclidean norm of `vector`. */
export function norm(vector: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}

/** A copy of `vector` scaled to unit length (a zero vector stays zero). */
export function normalized(vector: Float32Array): Float32Array {
  const n = norm(vector);
  const out = new Float32Array(vector.length);
  if (n === 0) return out;
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / n;
  return out;
}

/** 1 / norm of every row, 0 for zero rows, so scoring needs one multiply per row. */
export function inverseNorms(
  data: Float32Array,
  dim: number,
  rows = data.length / dim,
): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    const base = r * dim;
    for (let d = 0; d < dim; d++) sum += data[base + d]! * data[base + d]!;
    out[r] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  }
  return out;
}

/**
 * The k rows of `data` most similar to `query`. `invNorms` holds 1/‖row‖ (see inverseNorms);
 * ties keep the lower row first so results are stable.
 */
export function topKCosine(
  data: Float32Array,
  dim: number,
  rows: number,
  invNorms: Float32Array,
  query: Float32Array,
  k: number,
): TopK {
  if (query.length !== dim) {
    throw new RangeError(`The query has ${query.length} dimensions; the index has ${dim}.`);
  }
  const q = normalized(query);
  const size = Math.max(0, Math.min(k, rows));
  // A min-heap of the best `size` so far: heapScores[0] is the worst kept score.
  const heapRows = new Int32Array(size);
  const heapScores = new Float32Array(size);
  let filled = 0;

  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += data[base + d]! * q[d]!;
    const score = dot * invNorms[r]!;
    if (filled < size) {
      siftUp(heapRows, heapScores, filled++, r, score);
    } else if (size > 0 && score > heapScores[0]!) {
      siftDown(heapRows, heapScores, size, r, score);
    }
  }

  return bestFirst(heapRows, heapScores, filled);
}

/**
 * The best k (row, score) pairs pushed so far, for scans that compute their own scores. Ties
 * keep the lower row, as topKCosine does.
 */
export class TopKHeap {
  readonly k: number;
  #rows: Int32Array;
  #scores: Float32Array;
  #size = 0;

  constructor(k: number) {
    this.k = Math.max(0, Math.floor(k));
    this.#rows = new Int32Array(this.k);
    this.#scores = new Float32Array(this.k);
  }

  get size(): number {
    return this.#size;
  }

  /** The score a row must beat to enter: -Infinity until k rows are in, then the worst kept. */
  get threshold(): number {
    return this.#size < this.k ? -Infinity : this.#scores[0]!;
  }

  push(row: number, score: number): void {
    if (this.#size < this.k) {
      siftUp(this.#rows, this.#scores, this.#size++, row, score);
    } else if (this.k > 0 && worse(this.#scores[0]!, this.#rows[0]!, score, row)) {
      siftDown(this.#rows, this.#scores, this.k, row, score);
    }
  }

  /** What was kept, best first. */
  result(): TopK {
    return bestFirst(this.#rows, this.#scores, this.#size);
  }
}

function bestFirst(heapRows: Int32Array, heapScores: Float32Array, filled: number): TopK {
  const order = Array.from({ length: filled }, (_, i) => i).sort(
    (a, b) => heapScores[b]! - heapScores[a]! || heapRows[a]! - heapRows[b]!,
  );
  return {
    rows: Int32Array.from(order, (i) => heapRows[i]!),
    scores: Float32Array.from(order, (i) => heapScores[i]!),
  };
}

// Heap order: lower score first; among equal scores the higher row is "worse" so it leaves first.
function worse(sa: number, ra: number, sb: number, rb: number): boolean {
  return sa < sb || (sa === sb && ra > rb);
}

function siftUp(rows: Int32Array, scores: Float32Array, at: number, row: number, score: number) {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(score, row, scores[parent]!, rows[parent]!)) break;
    rows[i] = rows[parent]!;
    scores[i] = scores[parent]!;
    i = parent;
  }
  rows[i] = row;
  scores[i] = score;
}

function siftDown(
  rows: Int32Array,
  scores: Float32Array,
  size: number,
  row: number,
  score: number,
) {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    let child = left;
    if (right < size && worse(scores[right]!, rows[right]!, scores[left]!, rows[left]!))
      child = right;
    if (!worse(scores[child]!, rows[child]!, score, row)) break;
    rows[i] = rows[child]!;
    scores[i] = scores[child]!;
    i = child;
  }
  rows[i] = row;
  scores[i] = score;
}
