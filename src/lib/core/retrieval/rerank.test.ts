import { describe, expect, test } from 'vitest';
import type { Passage } from '../kb/documents';
import { rerankPassages } from './rerank';

const passage = (rank: number, text: string): Passage => ({
  rank,
  score: 1 / rank,
  docId: 'doc',
  docName: 'notes.md',
  ordinal: rank - 1,
  chunkCount: 4,
  start: 0,
  end: text.length,
  headingPath: [],
  text,
  fusedRank: rank,
});

describe('rerankPassages', () => {
  const retrieved = [passage(1, 'a'), passage(2, 'b'), passage(3, 'c'), passage(4, 'd')];

  test('orders by rerank score, renumbers, and keeps the retrieval rank and score', () => {
    const reranked = rerankPassages(retrieved, [0.5, -2, 7.25, 0.5]);
    expect(reranked.map((p) => [p.text, p.rank, p.retrievalRank, p.rerankScore])).toEqual([
      ['c', 1, 3, 7.25],
      ['a', 2, 1, 0.5],
      ['d', 3, 4, 0.5],
      ['b', 4, 2, -2],
    ]);
    expect(reranked[0]).toMatchObject({ score: 1 / 3, fusedRank: 3, ordinal: 2 });
    // The input is left as it was.
    expect(retrieved.map((p) => p.rank)).toEqual([1, 2, 3, 4]);
    expect(retrieved[0]).not.toHaveProperty('rerankScore');
  });

  test('puts a passage without a usable score last', () => {
    const reranked = rerankPassages(retrieved, [1, Number.NaN, 2, 0]);
    expect(reranked.map((p) => p.text)).toEqual(['c', 'a', 'd', 'b']);
  });

  test('needs one score per passage', () => {
    expect(rerankPassages([], [])).toEqual([]);
    expect(() => rerankPassages(retrieved, [1, 2])).toThrow(RangeError);
  });
});
