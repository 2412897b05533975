import { describe, expect, test } from 'vitest';
import { KeywordIndex } from './bm25';
import { retrieve } from './retrieval';
import { VectorIndex } from './vector-index';

// Five one-chunk documents. Dense order for the query [1, 0]: a, b, x, c, d.
// Keyword order for "solar panels": c, d, x (x says both words in a longer text).
const vectors = new VectorIndex(2);
const keywords = new KeywordIndex();
const docs: [string, number[], string][] = [
  ['a', [1, 0], 'wind turbines'],
  ['b', [0.95, 0.3], 'tidal energy'],
  ['x', [0.9, 0.45], 'rooftop solar and other panels of every kind we could find'],
  ['c', [0.2, 1], 'solar panels'],
  ['d', [0, 1], 'solar panels, solar cells'],
];
for (const [id, vector, text] of docs) {
  vectors.add(id, 0, Float32Array.from(vector));
  keywords.add(id, '', [{ ordinal: 0, headingPath: [], text }]);
}
const query = { text: 'solar panels', vector: Float32Array.from([1, 0]) };
const ids = (r: { chunks: { docId: string }[] }) => r.chunks.map((c) => c.docId);

describe('retrieve', () => {
  test('hybrid fuses both rankings (RRF, k = 60) and keeps each one’s rank and score', () => {
    const result = retrieve({ vectors, keywords }, query, { mode: 'hybrid', k: 4 });
    expect(result.mode).toBe('hybrid');
    // c: 1/64 + 1/61, x: 1/63 + 1/63, d: 1/65 + 1/62, a: 1/61.
    expect(ids(result)).toEqual(['c', 'x', 'd', 'a']);
    expect(result.chunks[1]).toMatchObject({
      docId: 'x',
      ordinal: 0,
      denseRank: 3,
      keywordRank: 3,
      fusedRank: 2,
      matchedTerms: ['solar', 'panel'],
    });
    expect(result.chunks[1]!.fusedScore).toBeCloseTo(2 / 63, 10);
    expect(result.chunks[1]!.denseScore).toBeCloseTo(0.9 / Math.hypot(0.9, 0.45), 6);
    expect(result.chunks[3]).toMatchObject({ docId: 'a', keywordRank: null, matchedTerms: [] });
  });

  test('hybrid looks beyond the top k of each list before fusing', () => {
    // Two from each list: a and c tie at 1/61 (dense first), b and d at 1/62.
    const shallow = retrieve({ vectors, keywords }, query, { mode: 'hybrid', k: 2, candidates: 2 });
    expect(ids(shallow)).toEqual(['a', 'c']);
    const deep = retrieve({ vectors, keywords }, query, { mode: 'hybrid', k: 2 });
    expect(ids(deep)).toEqual(['c', 'x']);
  });

  test('weighted fusion is available instead of RRF', () => {
    const result = retrieve({ vectors, keywords }, query, {
      mode: 'hybrid',
      k: 5,
      fusion: { method: 'weighted', denseWeight: 0 },
    });
    expect(ids(result).slice(0, 2)).toEqual(['c', 'd']);
    const denseOnly = retrieve({ vectors, keywords }, query, {
      mode: 'hybrid',
      k: 3,
      fusion: { method: 'weighted', denseWeight: 1 },
    });
    expect(ids(denseOnly)).toEqual(['a', 'b', 'x']);
  });

  test('dense and keyword modes run one list, scored as that list scores', () => {
    const dense = retrieve({ vectors, keywords }, query, { mode: 'dense', k: 2 });
    expect(ids(dense)).toEqual(['a', 'b']);
    expect(dense.chunks[0]).toMatchObject({ keywordRank: null, denseRank: 1, fusedRank: 1 });
    expect(dense.chunks[0]!.fusedScore).toBeCloseTo(1, 6);
    const keyword = retrieve({ vectors, keywords }, query, { mode: 'keyword', k: 2 });
    expect(keyword.mode).toBe('keyword');
    expect(keyword.chunks[0]!.fusedScore).toBe(keyword.chunks[0]!.keywordScore);
    expect(keyword.chunks[0]!.matchedTerms).toEqual(['solar', 'panel']);
  });

  test('hybrid falls back to the list it can run, and says so', () => {
    const noVector = retrieve(
      { vectors, keywords },
      { ...query, vector: null },
      { mode: 'hybrid', k: 2 },
    );
    expect(noVector.mode).toBe('keyword');
    const noText = retrieve(
      { vectors, keywords },
      { ...query, text: ' ' },
      { mode: 'hybrid', k: 2 },
    );
    expect(noText.mode).toBe('dense');
    expect(noText.chunks[0]!.fusedScore).toBe(noText.chunks[0]!.denseScore);
    const noKeywords = retrieve({ vectors, keywords: null }, query, { mode: 'hybrid', k: 2 });
    expect(noKeywords.mode).toBe('dense');
    expect(ids(noKeywords)).toEqual(['a', 'b']);
    expect(retrieve({ vectors: null, keywords }, query, { mode: 'dense', k: 2 })).toEqual({
      chunks: [],
      mode: 'dense',
    });
  });
});
