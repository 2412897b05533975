/**
 * Seeded synthetic data shared by the Node benchmarks and the Chromium benchmark page, so both
 * measure the same vectors and the same text. No Node imports: the page bundles this file.
 */
import type { KeywordChunk } from '../src/lib/core/retrieval/bm25';

/** A seeded PRNG (mulberry32) returning [0, 1), so every run measures the same data. */
export function seeded(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from `random` (Box–Muller). */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export type VectorKind = 'random' | 'clustered';

/** Unit vectors: independent Gaussian, or around 200 centres with within-cluster cosine ≈ 0.7. */
export function unitVectors(kind: VectorKind, rows: number, dim: number, seed: number) {
  const random = seeded(seed);
  const normal = gaussian(random);
  const centres = Float32Array.from({ length: 200 * dim }, normal);
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const centre = Math.floor(random() * 200) * dim;
    let squares = 0;
    for (let d = 0; d < dim; d++) {
      const x = kind === 'clustered' ? centres[centre + d]! + 0.65 * normal() : normal();
      data[r * dim + d] = x;
      squares += x * x;
    }
    const scale = 1 / Math.sqrt(squares);
    for (let d = 0; d < dim; d++) data[r * dim + d]! *= scale;
  }
  return data;
}

/** Random directions, or (clustered) stored vectors with noise: questions near the data. */
export function queryVectors(
  kind: VectorKind,
  data: Float32Array,
  dim: number,
  count: number,
  seed: number,
): Float32Array[] {
  const random = seeded(seed);
  const normal = gaussian(random);
  const rows = data.length / dim;
  return Array.from({ length: count }, () => {
    if (kind === 'random') return Float32Array.from({ length: dim }, normal);
    const row = Math.floor(random() * rows) * dim;
    return Float32Array.from({ length: dim }, (_, d) => data[row + d]! + 0.03 * normal());
  });
}

const SYLLABLES =
  'ka ri to ne su ma lo pe vi da gen tor sil ban cre mon ing ed er al ation ous'.split(' ');

function vocabulary(random: () => number, size: number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 1 + Math.floor(random() * 4);
    let word = '';
    for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

/** Draws word ranks with probability ∝ 1 / rank, as word frequencies go. */
function zipf(random: () => number, n: number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / (i + 1);
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface SyntheticDoc {
  id: string;
  title: string;
  chunks: KeywordChunk[];
}

export interface KeywordCorpusOptions {
  chunks: number;
  perDoc: number;
  /** Words per chunk, in ten sentences. */
  words: number;
  vocabulary: number;
  queries: number;
}

export const KEYWORD_CORPUS: Readonly<KeywordCorpusOptions> = Object.freeze({
  chunks: 100_000,
  perDoc: 50,
  words: 150,
  vocabulary: 30_000,
  queries: 200,
});

/**
 * Chunks of words drawn from a Zipf-distributed vocabulary of made-up words, `perDoc` to a
 * document with a title and a two-level heading path, and questions of 3–6 words.
 */
export function keywordCorpus(options: KeywordCorpusOptions = KEYWORD_CORPUS): {
  docs: SyntheticDoc[];
  queries: string[];
} {
  const random = seeded(42);
  const words = vocabulary(random, options.vocabulary);
  const draw = zipf(random, words.length);
  const phrase = (n: number) => Array.from({ length: n }, () => words[draw()]).join(' ');
  const docs: SyntheticDoc[] = [];
  for (let d = 0; d < options.chunks / options.perDoc; d++) {
    const chunks = Array.from({ length: options.perDoc }, (_, ordinal) => ({
      ordinal,
      headingPath: [phrase(3), phrase(2)],
      text: Array.from({ length: 10 }, () => `${phrase(options.words / 10)}.`).join('\n'),
    }));
    docs.push({ id: `doc-${d}`, title: `${phrase(3)}.md`, chunks });
  }
  // Questions of 3–6 words, mostly of middle frequency (the top 100 words are like stop words).
  const queries = Array.from({ length: options.queries }, () =>
    Array.from(
      { length: 3 + Math.floor(random() * 4) },
      () => words[Math.min(words.length - 1, 100 + draw())],
    ).join(' '),
  );
  return { docs, queries };
}
