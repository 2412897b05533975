/**
 * Okapi BM25 keyword search over chunks, on typed arrays: one inverted index in compressed-row
 * form (each term's postings are contiguous, in row order) plus a short tail of postings added
 * since the last search, merged in before the next one. Rows are chunks; every chunk indexes its
 * document's title, its heading path and its text (see KeywordChunk).
 *
 * Scoring is textbook BM25, as Lucene computes it (up to Lucene's lossy length encoding):
 *   idf(t)     = ln(1 + (N − df + 0.5) / (df + 0.5))
 *   score(q,d) = Σ_t∈q  qtf · idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·len/avgLen))
 */

import { analyze } from './analyzer';
import { TopKHeap } from './top-k';

export interface Bm25Options {
  /** How fast repeated words stop adding to a chunk's score (1.2 is the usual choice). */
  k1: number;
  /** How much a long chunk is penalized, from 0 (not at all) to 1 (in full proportion). */
  b: number;
  /** How many times a word counts in each field: whole numbers, 0 leaves the field out. */
  weights: { title: number; headings: number; text: number };
}

export const DEFAULT_BM25: Readonly<Bm25Options> = Object.freeze({
  k1: 1.2,
  b: 0.75,
  weights: Object.freeze({ title: 1, headings: 1, text: 1 }),
});

/** What keyword search reads of a chunk; its document's name is given once, as the title. */
export interface KeywordChunk {
  ordinal: number;
  headingPath: string[];
  text: string;
}

/**
 * One document's chunks after analysis, ready to add: a plain object of typed arrays, so it can
 * be made in another worker, posted, or stored beside the document and added without analysis.
 */
export interface AnalyzedDocument {
  /** The document's own vocabulary; termIds index into it. */
  terms: string[];
  /** Per chunk: its ordinal and its weighted number of terms. */
  ordinals: Uint32Array;
  lengths: Uint32Array;
  /** Chunk i's (term, weighted count) pairs are termIds/counts[starts[i] … starts[i + 1]). */
  starts: Uint32Array;
  termIds: Uint32Array;
  counts: Uint16Array;
}

export interface KeywordHit {
  docId: string;
  ordinal: number;
  score: number;
  /** The query's terms (analyzed, e.g. "retriev") this chunk contains, in query order. */
  matchedTerms: string[];
}

/** Everything a KeywordIndex holds, as typed arrays and strings: structured-clone and IDB safe. */
export interface KeywordIndexSnapshot {
  version: 1;
  options: Bm25Options;
  terms: string[];
  /** Term t's postings are postingRows/postingCounts[termStarts[t] … termStarts[t + 1]). */
  termStarts: Int32Array;
  postingRows: Int32Array;
  postingCounts: Uint16Array;
  rowLengths: Uint32Array;
  rowDocs: Int32Array;
  rowOrdinals: Uint32Array;
  /** Row r belongs to docIds[rowDocs[r]]. */
  docIds: string[];
}

const MAX_COUNT = 0xffff;

/** Analyzes one document's chunks for KeywordIndex.addAnalyzed. */
export function analyzeDocument(
  title: string,
  chunks: readonly KeywordChunk[],
  weights: Bm25Options['weights'] = DEFAULT_BM25.weights,
): AnalyzedDocument {
  checkWeights(weights);
  const terms: string[] = [];
  const idOf = new Map<string, number>();
  // Weighted count per local term id for the chunk at hand, and which ids it has touched.
  let counts = new Int32Array(256);
  const touched: number[] = [];
  const count = (words: readonly string[], weight: number) => {
    if (weight === 0) return 0;
    for (const term of words) {
      let id = idOf.get(term);
      if (id === undefined) {
        id = terms.length;
        terms.push(term);
        idOf.set(term, id);
        if (id >= counts.length) {
          const grown = new Int32Array(counts.length * 2);
          grown.set(counts);
          counts = grown;
        }
      }
      if (counts[id] === 0) touched.push(id);
      counts[id]! += weight;
    }
    return words.length * weight;
  };
  const titleTerms = weights.title > 0 ? analyze(title) : [];
  // Consecutive chunks usually share their heading path.
  let headingKey: string | null = null;
  let headingTerms: string[] = [];

  const ordinals = new Uint32Array(chunks.length);
  const lengths = new Uint32Array(chunks.length);
  const starts = new Uint32Array(chunks.length + 1);
  const pairTerms: number[] = [];
  const pairCounts: number[] = [];
  chunks.forEach((chunk, i) => {
    const key = chunk.headingPath.join('\n');
    if (key !== headingKey) {
      headingKey = key;
      headingTerms = weights.headings > 0 ? analyze(key) : [];
    }
    ordinals[i] = chunk.ordinal;
    lengths[i] =
      count(titleTerms, weights.title) +
      count(headingTerms, weights.headings) +
      count(weights.text > 0 ? analyze(chunk.text) : [], weights.text);
    for (const id of touched) {
      pairTerms.push(id);
      pairCounts.push(Math.min(counts[id]!, MAX_COUNT));
      counts[id] = 0;
    }
    touched.length = 0;
    starts[i + 1] = pairTerms.length;
  });
  return {
    terms,
    ordinals,
    lengths,
    starts,
    termIds: Uint32Array.from(pairTerms),
    counts: Uint16Array.from(pairCounts),
  };
}

/** BM25 keyword search over every chunk of a knowledge base. Chunks are added per document. */
export class KeywordIndex {
  readonly options: Readonly<Bm25Options>;
  #termOf = new Map<string, number>();
  #terms: string[] = [];
  // Merged postings. Terms added since the last merge have none here yet.
  #termStarts: Int32Array = new Int32Array(1);
  #postingRows: Int32Array = new Int32Array(0);
  #postingCounts: Uint16Array = new Uint16Array(0);
  // Postings added since the last merge, in row order.
  #tailTerms = new Int32Array(1024);
  #tailRows = new Int32Array(1024);
  #tailCounts = new Uint16Array(1024);
  #tail = 0;
  // Per row.
  #rowLengths: Uint32Array = new Uint32Array(1024);
  #rowDocs: Int32Array = new Int32Array(1024);
  #rowOrdinals: Uint32Array = new Uint32Array(1024);
  #rows = 0;
  #totalLength = 0;
  #docIds: (string | null)[] = [];
  #slotOf = new Map<string, number>();
  // Search scratch: k1·(1 − b + b·len/avgLen) per row, valid until rows change.
  #lengthNorms: Float32Array | null = null;
  #scores = new Float32Array(0);
  #touched = new Int32Array(0);

  constructor(options: Partial<Bm25Options> = {}) {
    const merged = {
      ...DEFAULT_BM25,
      ...options,
      weights: { ...DEFAULT_BM25.weights, ...options.weights },
    };
    if (!(merged.k1 >= 0) || !(merged.b >= 0 && merged.b <= 1)) {
      throw new RangeError(
        `BM25 needs k1 ≥ 0 and 0 ≤ b ≤ 1, not k1 = ${merged.k1}, b = ${merged.b}.`,
      );
    }
    checkWeights(merged.weights);
    this.options = merged;
  }

  /** Chunks indexed. */
  get size(): number {
    return this.#rows;
  }

  get documentCount(): number {
    return this.#slotOf.size;
  }

  /** Distinct terms indexed. */
  get termCount(): number {
    return this.#terms.length;
  }

  has(docId: string): boolean {
    return this.#slotOf.has(docId);
  }

  /** Bytes held by the typed arrays (the term strings are not counted). */
  get byteLength(): number {
    return (
      this.#termStarts.byteLength +
      this.#postingRows.byteLength +
      this.#postingCounts.byteLength +
      this.#tailTerms.byteLength +
      this.#tailRows.byteLength +
      this.#tailCounts.byteLength +
      this.#rowLengths.byteLength +
      this.#rowDocs.byteLength +
      this.#rowOrdinals.byteLength +
      (this.#lengthNorms?.byteLength ?? 0) +
      this.#scores.byteLength +
      this.#touched.byteLength
    );
  }

  /** Analyzes and adds the chunks of `docId`, whose name is `title`. */
  add(docId: string, title: string, chunks: readonly KeywordChunk[]): void {
    this.addAnalyzed(docId, analyzeDocument(title, chunks, this.options.weights));
  }

  /** Adds chunks analyzed by analyzeDocument with the same field weights as this index. */
  addAnalyzed(docId: string, doc: AnalyzedDocument): void {
    const chunkCount = doc.ordinals.length;
    if (
      doc.lengths.length !== chunkCount ||
      doc.starts.length !== chunkCount + 1 ||
      doc.starts[chunkCount] !== doc.termIds.length ||
      doc.counts.length !== doc.termIds.length ||
      doc.termIds.some((id) => id >= doc.terms.length)
    ) {
      throw new RangeError(`The analyzed chunks of ${docId} are inconsistent; analyze them again.`);
    }
    if (chunkCount === 0) return;
    let slot = this.#slotOf.get(docId);
    if (slot === undefined) {
      slot = this.#docIds.length;
      this.#docIds.push(docId);
      this.#slotOf.set(docId, slot);
    }
    const globalIds = doc.terms.map((term) => {
      let id = this.#termOf.get(term);
      if (id === undefined) {
        id = this.#terms.length;
        this.#terms.push(term);
        this.#termOf.set(term, id);
      }
      return id;
    });
    this.#reserveRows(this.#rows + chunkCount);
    this.#reserveTail(this.#tail + doc.termIds.length);
    const tailTerms = this.#tailTerms;
    const tailRows = this.#tailRows;
    const tailCounts = this.#tailCounts;
    const { starts, termIds, counts } = doc;
    let tail = this.#tail;
    for (let i = 0; i < chunkCount; i++) {
      const row = this.#rows++;
      this.#rowLengths[row] = doc.lengths[i]!;
      this.#rowDocs[row] = slot;
      this.#rowOrdinals[row] = doc.ordinals[i]!;
      this.#totalLength += doc.lengths[i]!;
      for (let p = starts[i]!, end = starts[i + 1]!; p < end; p++) {
        tailTerms[tail] = globalIds[termIds[p]!]!;
        tailRows[tail] = row;
        tailCounts[tail] = counts[p]!;
        tail++;
      }
    }
    this.#tail = tail;
    this.#lengthNorms = null;
    // Merging whenever the tail outgrows the merged postings keeps the tail's memory bounded,
    // and the total merge work linear: each merge at least doubles what is merged.
    if (tail > Math.max(1 << 20, this.#postingRows.length)) this.#merge(false);
  }

  /** Removes every chunk of `docId`; returns how many went. Later rows move down. */
  remove(docId: string): number {
    const slot = this.#slotOf.get(docId);
    if (slot === undefined) return 0;
    this.#merge();
    const newRow = new Int32Array(this.#rows);
    let write = 0;
    for (let read = 0; read < this.#rows; read++) {
      if (this.#rowDocs[read] === slot) {
        newRow[read] = -1;
        this.#totalLength -= this.#rowLengths[read]!;
        continue;
      }
      newRow[read] = write;
      this.#rowLengths[write] = this.#rowLengths[read]!;
      this.#rowDocs[write] = this.#rowDocs[read]!;
      this.#rowOrdinals[write] = this.#rowOrdinals[read]!;
      write++;
    }
    const removed = this.#rows - write;
    this.#rows = write;
    this.#slotOf.delete(docId);
    this.#docIds[slot] = null;

    // Drop the removed rows' postings in place, and the terms no chunk has any more.
    const starts = this.#termStarts;
    const rows = this.#postingRows;
    const counts = this.#postingCounts;
    const terms: string[] = [];
    let at = 0;
    for (let t = 0; t < this.#terms.length; t++) {
      const begin = at;
      for (let p = starts[t]!, end = starts[t + 1]!; p < end; p++) {
        const row = newRow[rows[p]!]!;
        if (row < 0) continue;
        rows[at] = row;
        counts[at] = counts[p]!;
        at++;
      }
      if (at > begin) {
        starts[terms.length] = begin;
        terms.push(this.#terms[t]!);
      }
    }
    starts[terms.length] = at;
    this.#termStarts = starts.slice(0, terms.length + 1);
    this.#postingRows = rows.slice(0, at);
    this.#postingCounts = counts.slice(0, at);
    this.#terms = terms;
    this.#termOf = new Map(terms.map((term, id) => [term, id]));
    this.#lengthNorms = null;
    return removed;
  }

  clear(): void {
    this.#termOf.clear();
    this.#terms = [];
    this.#termStarts = new Int32Array(1);
    this.#postingRows = new Int32Array(0);
    this.#postingCounts = new Uint16Array(0);
    this.#tail = 0;
    this.#resetTail();
    this.#rows = 0;
    this.#totalLength = 0;
    this.#docIds = [];
    this.#slotOf.clear();
    this.#lengthNorms = null;
  }

  /** Merges what was added since the last search now, so the next search does not wait for it. */
  flush(): void {
    this.#merge();
  }

  /** The k chunks that best match `query`, best first; chunks sharing no term are left out. */
  search(query: string, k: number): KeywordHit[] {
    this.#merge();
    const rowCount = this.#rows;
    if (rowCount === 0 || k <= 0) return [];
    const queryTerms = new Map<number, { term: string; times: number }>();
    for (const term of analyze(query)) {
      const id = this.#termOf.get(term);
      if (id === undefined) continue;
      const seen = queryTerms.get(id);
      if (seen) seen.times++;
      else queryTerms.set(id, { term, times: 1 });
    }
    if (queryTerms.size === 0) return [];

    const { k1 } = this.options;
    const norms = this.#norms();
    if (this.#scores.length < rowCount) {
      this.#scores = new Float32Array(this.#rows);
      this.#touched = new Int32Array(this.#rows);
    }
    const scores = this.#scores;
    const touched = this.#touched;
    const rows = this.#postingRows;
    const counts = this.#postingCounts;
    let touchedCount = 0;
    for (const [id, { times }] of queryTerms) {
      const begin = this.#termStarts[id]!;
      const end = this.#termStarts[id + 1]!;
      const df = end - begin;
      const weight = times * Math.log(1 + (rowCount - df + 0.5) / (df + 0.5)) * (k1 + 1);
      for (let p = begin; p < end; p++) {
        const row = rows[p]!;
        const tf = counts[p]!;
        const before = scores[row]!;
        // Every term adds a positive amount, so 0 means "not seen yet".
        if (before === 0) touched[touchedCount++] = row;
        scores[row] = before + (weight * tf) / (tf + norms[row]!);
      }
    }

    const heap = new TopKHeap(k);
    for (let i = 0; i < touchedCount; i++) {
      const row = touched[i]!;
      heap.push(row, scores[row]!);
      scores[row] = 0;
    }
    const best = heap.result();
    return Array.from(best.rows, (row, i) => ({
      docId: this.#docIds[this.#rowDocs[row]!]!,
      ordinal: this.#rowOrdinals[row]!,
      score: best.scores[i]!,
      matchedTerms: [...queryTerms]
        .filter(([id]) => this.#hasPosting(id, row))
        .map(([, { term }]) => term),
    }));
  }

  /** A copy of everything the index holds, to store or post and restore with fromSnapshot. */
  toSnapshot(): KeywordIndexSnapshot {
    this.#merge();
    // Renumber documents so the snapshot holds no removed ones.
    const slotMap = new Int32Array(this.#docIds.length).fill(-1);
    const docIds: string[] = [];
    this.#docIds.forEach((id, slot) => {
      if (id === null) return;
      slotMap[slot] = docIds.length;
      docIds.push(id);
    });
    const rowDocs = new Int32Array(this.#rows);
    for (let r = 0; r < this.#rows; r++) rowDocs[r] = slotMap[this.#rowDocs[r]!]!;
    return {
      version: 1,
      options: { ...this.options, weights: { ...this.options.weights } },
      terms: [...this.#terms],
      termStarts: this.#termStarts.slice(),
      postingRows: this.#postingRows.slice(),
      postingCounts: this.#postingCounts.slice(),
      rowLengths: this.#rowLengths.slice(0, this.#rows),
      rowDocs,
      rowOrdinals: this.#rowOrdinals.slice(0, this.#rows),
      docIds,
    };
  }

  /** An index holding what `snapshot` holds; it takes ownership of the snapshot's arrays. */
  static fromSnapshot(snapshot: KeywordIndexSnapshot): KeywordIndex {
    if (snapshot.version !== 1) {
      throw new TypeError(`Unknown keyword index snapshot version ${String(snapshot.version)}.`);
    }
    const rows = snapshot.rowLengths.length;
    const terms = snapshot.terms.length;
    const postings = snapshot.postingRows.length;
    if (
      snapshot.termStarts.length !== terms + 1 ||
      snapshot.termStarts[terms] !== postings ||
      snapshot.postingCounts.length !== postings ||
      snapshot.rowDocs.length !== rows ||
      snapshot.rowOrdinals.length !== rows
    ) {
      throw new RangeError('The keyword index snapshot is inconsistent; rebuild the index.');
    }
    const index = new KeywordIndex(snapshot.options);
    index.#terms = snapshot.terms;
    index.#termOf = new Map(snapshot.terms.map((term, id) => [term, id]));
    index.#termStarts = snapshot.termStarts;
    index.#postingRows = snapshot.postingRows;
    index.#postingCounts = snapshot.postingCounts;
    index.#rowLengths = snapshot.rowLengths;
    index.#rowDocs = snapshot.rowDocs;
    index.#rowOrdinals = snapshot.rowOrdinals;
    index.#rows = rows;
    for (let r = 0; r < rows; r++) index.#totalLength += snapshot.rowLengths[r]!;
    index.#docIds = [...snapshot.docIds];
    snapshot.docIds.forEach((id, slot) => index.#slotOf.set(id, slot));
    return index;
  }

  #hasPosting(term: number, row: number): boolean {
    let lo = this.#termStarts[term]!;
    let hi = this.#termStarts[term + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#postingRows[mid]!;
      if (at === row) return true;
      if (at < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  #norms(): Float32Array {
    if (this.#lengthNorms && this.#lengthNorms.length >= this.#rows) return this.#lengthNorms;
    const { k1, b } = this.options;
    const average = this.#rows > 0 ? this.#totalLength / this.#rows || 1 : 1;
    const norms = new Float32Array(this.#rowLengths.length);
    for (let r = 0; r < this.#rows; r++) {
      norms[r] = k1 * (1 - b + (b * this.#rowLengths[r]!) / average);
    }
    this.#lengthNorms = norms;
    return norms;
  }

  /**
   * Folds the tail into the merged postings: a counting sort by term, keeping row order. Unless
   * more is being added, a large tail buffer is given back.
   */
  #merge(shrinkTail = true): void {
    const termCount = this.#terms.length;
    const tail = this.#tail;
    if (tail > 0 || this.#termStarts.length !== termCount + 1) {
      const tailTerms = this.#tailTerms;
      const tailRows = this.#tailRows;
      const tailCounts = this.#tailCounts;
      const oldStarts = this.#termStarts;
      const oldRows = this.#postingRows;
      const oldCounts = this.#postingCounts;
      const oldTerms = oldStarts.length - 1;
      const starts = new Int32Array(termCount + 1);
      for (let t = 0; t < oldTerms; t++) starts[t + 1] = oldStarts[t + 1]! - oldStarts[t]!;
      for (let p = 0; p < tail; p++) starts[tailTerms[p]! + 1]!++;
      for (let t = 0; t < termCount; t++) starts[t + 1]! += starts[t]!;

      const total = starts[termCount]!;
      const rows = new Int32Array(total);
      const counts = new Uint16Array(total);
      const next = starts.slice(0, termCount);
      for (let t = 0; t < oldTerms; t++) {
        let at = next[t]!;
        for (let p = oldStarts[t]!, end = oldStarts[t + 1]!; p < end; p++, at++) {
          rows[at] = oldRows[p]!;
          counts[at] = oldCounts[p]!;
        }
        next[t] = at;
      }
      // Tail rows come after every merged row, so appending keeps each term's rows in order.
      for (let p = 0; p < tail; p++) {
        const at = next[tailTerms[p]!]!++;
        rows[at] = tailRows[p]!;
        counts[at] = tailCounts[p]!;
      }
      this.#termStarts = starts;
      this.#postingRows = rows;
      this.#postingCounts = counts;
      this.#tail = 0;
    }
    if (shrinkTail && this.#tailRows.length > 1 << 16) this.#resetTail();
  }

  #resetTail(): void {
    this.#tailTerms = new Int32Array(1024);
    this.#tailRows = new Int32Array(1024);
    this.#tailCounts = new Uint16Array(1024);
  }

  #reserveRows(rows: number): void {
    if (rows <= this.#rowLengths.length) return;
    const size = Math.max(rows, Math.ceil(this.#rowLengths.length * 1.5));
    this.#rowLengths = grow(this.#rowLengths, size);
    this.#rowDocs = grow(this.#rowDocs, size);
    this.#rowOrdinals = grow(this.#rowOrdinals, size);
  }

  #reserveTail(postings: number): void {
    if (postings <= this.#tailRows.length) return;
    const size = Math.max(postings, this.#tailRows.length * 2);
    this.#tailTerms = grow(this.#tailTerms, size);
    this.#tailRows = grow(this.#tailRows, size);
    this.#tailCounts = grow(this.#tailCounts, size);
  }
}

function grow<T extends Int32Array | Uint32Array | Uint16Array>(old: T, size: number): T {
  const array = new (old.constructor as new (n: number) => T)(size);
  array.set(old);
  return array;
}

function checkWeights(weights: Bm25Options['weights']): void {
  for (const [field, weight] of Object.entries(weights)) {
    if (!Number.isInteger(weight) || weight < 0 || weight > 16) {
      throw new RangeError(
        `The ${field} weight must be a whole number from 0 to 16, not ${weight}.`,
      );
    }
  }
}
