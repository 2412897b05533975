/**
 * Combining a dense (embedding) ranking and a keyword (BM25) ranking into one. Each result keeps
 * where it stood in both, so an interface can show why it was retrieved.
 */

/** One result of one retriever, identified by `key`; lists are best first. */
export interface Ranked {
  key: string;
  score: number;
}

export interface Fused {
  key: string;
  /** 1-based rank and raw score in each list, or null when that list did not return it. */
  denseRank: number | null;
  denseScore: number | null;
  keywordRank: number | null;
  keywordScore: number | null;
  fusedRank: number;
  fusedScore: number;
}

export type FusionOptions =
  /** Reciprocal rank fusion: Σ 1 / (k + rank). k = 60 is the value of the original paper. */
  | { method: 'rrf'; k?: number }
  /**
   * Each list's scores min-max normalized to [0, 1] (the best 1, the worst returned 0; a missing
   * result 0), then denseWeight · dense + (1 − denseWeight) · keyword.
   */
  | { method: 'weighted'; denseWeight?: number };

export const DEFAULT_RRF_K = 60;
export const DEFAULT_DENSE_WEIGHT = 0.5;

/** Fuses two rankings. Ties keep dense-list order first, then keyword-only results in order. */
export function fuse(
  dense: readonly Ranked[],
  keyword: readonly Ranked[],
  options: FusionOptions = { method: 'rrf' },
): Fused[] {
  return options.method === 'rrf'
    ? reciprocalRankFusion(dense, keyword, options.k)
    : weightedScoreFusion(dense, keyword, options.denseWeight);
}

export function reciprocalRankFusion(
  dense: readonly Ranked[],
  keyword: readonly Ranked[],
  k = DEFAULT_RRF_K,
): Fused[] {
  if (!(k >= 0)) throw new RangeError(`The RRF constant must be 0 or more, not ${k}.`);
  return combine(dense, keyword, (entry) => {
    let score = 0;
    if (entry.denseRank !== null) score += 1 / (k + entry.denseRank);
    if (entry.keywordRank !== null) score += 1 / (k + entry.keywordRank);
    return score;
  });
}

export function weightedScoreFusion(
  dense: readonly Ranked[],
  keyword: readonly Ranked[],
  denseWeight = DEFAULT_DENSE_WEIGHT,
): Fused[] {
  if (!(denseWeight >= 0 && denseWeight <= 1)) {
    throw new RangeError(`The dense weight must be from 0 to 1, not ${denseWeight}.`);
  }
  const denseNorm = minMax(dense);
  const keywordNorm = minMax(keyword);
  return combine(
    dense,
    keyword,
    (entry) =>
      denseWeight * (entry.denseScore === null ? 0 : denseNorm(entry.denseScore)) +
      (1 - denseWeight) * (entry.keywordScore === null ? 0 : keywordNorm(entry.keywordScore)),
  );
}

/** One list on its own, in the same shape, e.g. for dense-only or keyword-only search. */
export function single(list: readonly Ranked[], from: 'dense' | 'keyword'): Fused[] {
  return combine(from === 'dense' ? list : [], from === 'keyword' ? list : [], (entry) =>
    from === 'dense' ? entry.denseScore! : entry.keywordScore!,
  );
}

function minMax(list: readonly Ranked[]): (score: number) => number {
  if (list.length === 0) return () => 0;
  let min = Infinity;
  let max = -Infinity;
  for (const { score } of list) {
    min = Math.min(min, score);
    max = Math.max(max, score);
  }
  const range = max - min;
  // All equal: each is as good as the best.
  return range > 0 ? (score) => (score - min) / range : () => 1;
}

function combine(
  dense: readonly Ranked[],
  keyword: readonly Ranked[],
  score: (entry: Fused) => number,
): Fused[] {
  const byKey = new Map<string, Fused>();
  const entry = (key: string) => {
    let found = byKey.get(key);
    if (!found) {
      found = {
        key,
        denseRank: null,
        denseScore: null,
        keywordRank: null,
        keywordScore: null,
        fusedRank: 0,
        fusedScore: 0,
      };
      byKey.set(key, found);
    }
    return found;
  };
  // A key listed twice keeps its first (best) place.
  dense.forEach((hit, i) => {
    const e = entry(hit.key);
    if (e.denseRank === null) Object.assign(e, { denseRank: i + 1, denseScore: hit.score });
  });
  keyword.forEach((hit, i) => {
    const e = entry(hit.key);
    if (e.keywordRank === null) Object.assign(e, { keywordRank: i + 1, keywordScore: hit.score });
  });
  const entries = [...byKey.values()];
  for (const e of entries) e.fusedScore = score(e);
  // Array.prototype.sort is stable: equal scores keep insertion order.
  entries.sort((a, b) => b.fusedScore - a.fusedScore);
  entries.forEach((e, i) => (e.fusedRank = i + 1));
  return entries;
}
