import type { Passage } from '../kb/documents';

/**
 * The passages in the order of `scores` (one per passage, best first; ties, and scores that are
 * not numbers, keep the retrieval order), renumbered 1..n. Each keeps the rank it was retrieved
 * at as `retrievalRank` and its score as `rerankScore`; its retrieval `score` is unchanged.
 */
export function rerankPassages(passages: readonly Passage[], scores: readonly number[]): Passage[] {
  if (scores.length !== passages.length) {
    throw new RangeError(
      `${scores.length} rerank scores were given for ${passages.length} passages.`,
    );
  }
  const key = (score: number) => (Number.isNaN(score) ? -Infinity : score);
  return passages
    .map((passage, i) => ({ passage, score: scores[i]!, i }))
    .sort((a, b) => key(b.score) - key(a.score) || a.i - b.i)
    .map(({ passage, score }, i) => ({
      ...passage,
      rank: i + 1,
      retrievalRank: passage.rank,
      rerankScore: score,
    }));
}
