/**
 * Ranking metrics as TREC and BEIR compute them (trec_eval / pytrec_eval): graded relevance with
 * linear gain for nDCG, and relevance > 0 meaning "relevant" for recall and reciprocal rank.
 */

/** How relevant each judged document is to one query; unjudged documents count as 0. */
export type Judgements = ReadonlyMap<string, number>;

/** Normalized discounted cumulative gain of the first k of `ranked`. */
export function ndcgAt(ranked: readonly string[], judged: Judgements, k: number): number {
  let dcg = 0;
  const seen = new Set<string>();
  let position = 0;
  for (const id of ranked) {
    if (position >= k) break;
    if (seen.has(id)) continue; // a document counts once, where it first appears
    seen.add(id);
    dcg += (judged.get(id) ?? 0) / Math.log2(position + 2);
    position++;
  }
  const ideal = [...judged.values()]
    .filter((gain) => gain > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, gain, i) => sum + gain / Math.log2(i + 2), 0);
  return ideal > 0 ? dcg / ideal : 0;
}

/** The share of the relevant documents found in the first k of `ranked`. */
export function recallAt(ranked: readonly string[], judged: Judgements, k: number): number {
  const relevant = [...judged].filter(([, gain]) => gain > 0).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** 1 / the rank of the first relevant document within the first k of `ranked`, else 0. */
export function reciprocalRankAt(ranked: readonly string[], judged: Judgements, k: number): number {
  const at = ranked.slice(0, k).findIndex((id) => (judged.get(id) ?? 0) > 0);
  return at < 0 ? 0 : 1 / (at + 1);
}

export interface RetrievalMetrics {
  ndcgAt10: number;
  recallAt100: number;
  mrrAt10: number;
  /** Queries averaged over: every judged query, whether or not the run answered it. */
  queries: number;
}

/**
 * Means over every query in `qrels` of nDCG@10, Recall@100 and MRR@10, as BEIR reports them; a
 * query the run has no ranking for scores 0.
 */
export function evaluateRun(
  run: ReadonlyMap<string, readonly string[]>,
  qrels: ReadonlyMap<string, Judgements>,
): RetrievalMetrics {
  let ndcg = 0;
  let recall = 0;
  let mrr = 0;
  for (const [queryId, judged] of qrels) {
    const ranked = run.get(queryId) ?? [];
    ndcg += ndcgAt(ranked, judged, 10);
    recall += recallAt(ranked, judged, 100);
    mrr += reciprocalRankAt(ranked, judged, 10);
  }
  const n = qrels.size;
  return n === 0
    ? { ndcgAt10: 0, recallAt100: 0, mrrAt10: 0, queries: 0 }
    : { ndcgAt10: ndcg / n, recallAt100: recall / n, mrrAt10: mrr / n, queries: n };
}
