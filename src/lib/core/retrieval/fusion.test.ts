import { describe, expect, test } from 'vitest';
import { fuse, reciprocalRankFusion, single, weightedScoreFusion } from './fusion';

const dense = [
  { key: 'A', score: 0.9 },
  { key: 'B', score: 0.7 },
  { key: 'C', score: 0.5 },
];
const keyword = [
  { key: 'C', score: 10 },
  { key: 'D', score: 4 },
];
const order = (list: { key: string }[]) => list.map((e) => e.key);

describe('reciprocal rank fusion', () => {
  test('sums 1 / (k + rank) over both lists and keeps each list’s rank and score', () => {
    const fused = reciprocalRankFusion(dense, keyword);
    // C: 1/63 + 1/61; A: 1/61; B and D: 1/62 (a tie: the dense one first).
    expect(order(fused)).toEqual(['C', 'A', 'B', 'D']);
    expect(fused[0]).toEqual({
      key: 'C',
      denseRank: 3,
      denseScore: 0.5,
      keywordRank: 1,
      keywordScore: 10,
      fusedRank: 1,
      fusedScore: 1 / 63 + 1 / 61,
    });
    expect(fused[3]).toMatchObject({ key: 'D', denseRank: null, denseScore: null, fusedRank: 4 });
  });

  test('k is settable: a small k favours the top of each list', () => {
    const fused = fuse(dense, keyword, { method: 'rrf', k: 0 });
    expect(fused.map((e) => [e.key, e.fusedScore])).toEqual([
      ['C', 1 / 3 + 1],
      ['A', 1],
      ['B', 0.5],
      ['D', 0.5],
    ]);
    expect(() => reciprocalRankFusion(dense, keyword, -1)).toThrow('0 or more');
  });

  test('a key listed twice keeps its best place', () => {
    const fused = reciprocalRankFusion(
      [
        { key: 'A', score: 1 },
        { key: 'A', score: 0.5 },
      ],
      [],
    );
    expect(fused).toHaveLength(1);
    expect(fused[0]).toMatchObject({ denseRank: 1, denseScore: 1 });
  });
});

describe('weighted fusion of min-max normalized scores', () => {
  test('normalizes each list to [0, 1] and weighs dense against keyword', () => {
    // Dense A 1, B 0.5, C 0; keyword C 1, D 0.
    const even = weightedScoreFusion(dense, keyword, 0.5);
    expect(order(even)).toEqual(['A', 'C', 'B', 'D']); // A and C tie: dense order first
    [0.5, 0.5, 0.25, 0].forEach((score, i) => expect(even[i]!.fusedScore).toBeCloseTo(score, 10));
    const keywordHeavy = fuse(dense, keyword, { method: 'weighted', denseWeight: 0.2 });
    expect(order(keywordHeavy)).toEqual(['C', 'A', 'B', 'D']);
    expect(keywordHeavy[0]!.fusedScore).toBeCloseTo(0.8, 10);
    expect(() => weightedScoreFusion(dense, keyword, 1.5)).toThrow('from 0 to 1');
  });

  test('a list whose scores are all equal counts each as the best', () => {
    const fused = weightedScoreFusion([{ key: 'A', score: 0.3 }], [{ key: 'B', score: 2 }], 0.5);
    expect(fused.map((e) => e.fusedScore)).toEqual([0.5, 0.5]);
  });
});

describe('single', () => {
  test('keeps one list’s order and scores in the fused shape', () => {
    expect(single(keyword, 'keyword')).toEqual([
      {
        key: 'C',
        denseRank: null,
        denseScore: null,
        keywordRank: 1,
        keywordScore: 10,
        fusedRank: 1,
        fusedScore: 10,
      },
      {
        key: 'D',
        denseRank: null,
        denseScore: null,
        keywordRank: 2,
        keywordScore: 4,
        fusedRank: 2,
        fusedScore: 4,
      },
    ]);
    expect(order(single(dense, 'dense'))).toEqual(['A', 'B', 'C']);
  });
});
