import { describe, expect, test } from 'vitest';
import { evaluateRun, ndcgAt, recallAt, reciprocalRankAt } from './metrics';

const judged = new Map([
  ['d2', 1],
  ['d3', 2],
  ['d4', 1],
  ['d5', 0],
]);

describe('ranking metrics', () => {
  test('nDCG uses graded gains and the ideal order of the judged documents', () => {
    // DCG = 0 + 1/log2(3) + 2/log2(4) = 1.63093; ideal = 2 + 1/log2(3) + 1/log2(4) = 3.13093.
    expect(ndcgAt(['d1', 'd2', 'd3'], judged, 3)).toBeCloseTo(1.63093 / 3.13093, 5);
    expect(ndcgAt(['d3', 'd2', 'd4'], judged, 3)).toBeCloseTo(1, 10);
    expect(ndcgAt(['x', 'a'], new Map([['a', 1]]), 10)).toBeCloseTo(1 / Math.log2(3), 10);
    // Cut at k: d3 at rank 3 is not counted at k = 2.
    expect(ndcgAt(['d1', 'd5', 'd3'], judged, 2)).toBe(0);
  });

  test('a document listed twice counts once', () => {
    expect(
      ndcgAt(
        ['a', 'a', 'b'],
        new Map([
          ['a', 1],
          ['b', 1],
        ]),
        2,
      ),
    ).toBeCloseTo(1, 10);
  });

  test('recall is the share of relevant documents (relevance > 0) in the first k', () => {
    expect(recallAt(['d1', 'd2', 'd5'], judged, 2)).toBeCloseTo(1 / 3, 10);
    expect(recallAt(['d4', 'd2', 'd3'], judged, 100)).toBe(1);
    expect(recallAt(['d1'], new Map([['d1', 0]]), 10)).toBe(0);
  });

  test('reciprocal rank is 1 / the rank of the first relevant document within k', () => {
    expect(reciprocalRankAt(['d1', 'd5', 'd2'], judged, 10)).toBeCloseTo(1 / 3, 10);
    expect(reciprocalRankAt(['d1', 'd5', 'd2'], judged, 2)).toBe(0);
    expect(reciprocalRankAt(['d3'], judged, 1)).toBe(1);
  });

  test('evaluateRun averages over every judged query, counting unanswered ones as 0', () => {
    const qrels = new Map([
      ['q1', new Map([['a', 1]])],
      ['q2', new Map([['b', 1]])],
    ]);
    const metrics = evaluateRun(new Map([['q1', ['a', 'c']]]), qrels);
    expect(metrics).toEqual({ ndcgAt10: 0.5, recallAt100: 0.5, mrrAt10: 0.5, queries: 2 });
    expect(evaluateRun(new Map(), new Map()).queries).toBe(0);
  });
});
