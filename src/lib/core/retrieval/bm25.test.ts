import { describe, expect, test } from 'vitest';
import { analyzeDocument, KeywordIndex, type KeywordChunk } from './bm25';

const chunks = (...texts: string[]): KeywordChunk[] =>
  texts.map((text, ordinal) => ({ ordinal, headingPath: [], text }));

/** BM25 of one term by the textbook formula, for checking by hand. */
function bm25(tf: number, df: number, n: number, length: number, average: number) {
  const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  return (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * length) / average));
}

describe('KeywordIndex', () => {
  test('scores chunks with BM25 (k1 = 1.2, b = 0.75) and ranks the best first', () => {
    const index = new KeywordIndex();
    index.add('a', '', chunks('Cats chase mice'));
    index.add('b', '', chunks('Dogs chase cats and cats sleep'));
    // a: cat chase mice (3 terms); b: dog chase cat cat sleep (5 terms); average 4.
    const hits = index.search('cats', 10);
    expect(hits.map((h) => h.docId)).toEqual(['b', 'a']);
    expect(hits[0]!.score).toBeCloseTo(bm25(2, 2, 2, 5, 4), 5);
    expect(hits[1]!.score).toBeCloseTo(bm25(1, 2, 2, 3, 4), 5);
    expect(hits[0]!.matchedTerms).toEqual(['cat']);
  });

  test('adds the scores of every query term and reports which terms matched', () => {
    const index = new KeywordIndex();
    index.add('a', '', chunks('Cats chase mice', 'mice sleep'));
    index.add('b', '', chunks('Dogs chase cats and cats sleep'));
    const [first, ...rest] = index.search('Do mice chase cats?', 10);
    expect(first).toMatchObject({ docId: 'a', ordinal: 0, matchedTerms: ['mice', 'chase', 'cat'] });
    // a0: cat chase mice; a1: mice sleep; b0: dog chase cat cat sleep. Each term is in 2 of 3.
    expect(first!.score).toBeCloseTo(3 * bm25(1, 2, 3, 3, 10 / 3), 5);
    expect(rest.map((h) => [h.docId, h.ordinal])).toEqual([
      ['b', 0],
      ['a', 1],
    ]);
  });

  test('indexes the document name and the heading path with the text', () => {
    const index = new KeywordIndex();
    index.add('handbook', 'Employee handbook.md', [
      { ordinal: 0, headingPath: ['Leave', 'Parental leave'], text: 'Sixteen weeks, paid.' },
    ]);
    index.add('faq', 'Support FAQ.txt', chunks('How do I reset my password?'));
    expect(index.search('employee', 5).map((h) => h.docId)).toEqual(['handbook']);
    expect(index.search('parental', 5)[0]).toMatchObject({
      docId: 'handbook',
      matchedTerms: ['parent'],
    });
    const textOnly = new KeywordIndex({ weights: { title: 0, headings: 0, text: 1 } });
    textOnly.add('handbook', 'Employee handbook.md', [
      { ordinal: 0, headingPath: ['Leave'], text: 'Sixteen weeks.' },
    ]);
    expect(textOnly.search('employee leave', 5)).toEqual([]);
  });

  test('returns nothing for a question with no indexed term, or k of 0', () => {
    const index = new KeywordIndex();
    expect(index.search('anything', 5)).toEqual([]);
    index.add('a', '', chunks('alpha beta'));
    expect(index.search('the of and', 5)).toEqual([]);
    expect(index.search('gamma', 5)).toEqual([]);
    expect(index.search('alpha', 0)).toEqual([]);
  });

  test('adding between searches gives the same results as adding all at once', () => {
    const texts = Array.from({ length: 60 }, (_, i) => `w${i % 7} w${i % 11} common w${i % 3}`);
    const batch = new KeywordIndex();
    const incremental = new KeywordIndex();
    texts.forEach((text, i) => batch.add(`d${i}`, '', chunks(text)));
    texts.forEach((text, i) => {
      incremental.add(`d${i}`, '', chunks(text));
      if (i % 9 === 0) incremental.search('w1 w2', 3);
    });
    for (const q of ['w1', 'w2 w5 common', 'w10 w0']) {
      expect(incremental.search(q, 20)).toEqual(batch.search(q, 20));
    }
  });

  test('removing a document is the same as never having added it', () => {
    const docs = Array.from(
      { length: 30 },
      (_, i) => [`d${i}`, chunks(`alpha w${i % 5} w${i % 4}`, `beta only${i} w${i % 3}`)] as const,
    );
    const index = new KeywordIndex();
    const without = new KeywordIndex();
    for (const [id, c] of docs) {
      index.add(id, '', c);
      if (id !== 'd3' && id !== 'd17') without.add(id, '', c);
    }
    expect(index.remove('d3')).toBe(2);
    expect(index.remove('d17')).toBe(2);
    expect(index.remove('d17')).toBe(0);
    expect(index.has('d3')).toBe(false);
    expect(index.size).toBe(56);
    expect(index.termCount).toBe(without.termCount); // only3 and only17 are gone
    for (const q of ['alpha w1', 'beta w2 only4', 'only3', 'w0 w3']) {
      expect(index.search(q, 100)).toEqual(without.search(q, 100));
    }
    index.clear();
    expect(index.size).toBe(0);
    expect(index.search('alpha', 5)).toEqual([]);
  });

  test('a snapshot survives structured cloning and restores the same index', () => {
    const index = new KeywordIndex({ k1: 0.9, b: 0.4 });
    index.add('a', 'Doc A', chunks('retrieval augmented generation', 'dense vectors'));
    index.add('b', 'Doc B', chunks('keyword search with BM25'));
    index.add('c', 'Doc C', chunks('gone soon'));
    index.remove('c');
    const restored = KeywordIndex.fromSnapshot(structuredClone(index.toSnapshot()));
    expect(restored.options).toEqual(index.options);
    expect(restored.size).toBe(3);
    expect(restored.documentCount).toBe(2);
    for (const q of ['retrieval search', 'doc', 'vectors bm25']) {
      expect(restored.search(q, 10)).toEqual(index.search(q, 10));
    }
    restored.add('d', 'Doc D', chunks('more retrieval'));
    expect(restored.search('retrieval', 10).map((h) => h.docId)).toEqual(['a', 'd']); // a tie
    expect(() =>
      KeywordIndex.fromSnapshot({ ...index.toSnapshot(), termStarts: new Int32Array(1) }),
    ).toThrow('inconsistent');
  });

  test('analyzed documents can be made elsewhere and added without analysis', () => {
    const analyzed = structuredClone(analyzeDocument('Guide', chunks('Retrieval, retrieval!')));
    expect(analyzed.terms).toEqual(['guid', 'retriev']);
    expect(Array.from(analyzed.counts)).toEqual([1, 2]);
    expect(Array.from(analyzed.lengths)).toEqual([3]);
    const index = new KeywordIndex();
    index.addAnalyzed('g', analyzed);
    expect(index.search('retrieving guides', 1)[0]).toMatchObject({
      docId: 'g',
      matchedTerms: ['retriev', 'guid'],
    });
    expect(() => index.addAnalyzed('h', { ...analyzed, terms: ['guid'] })).toThrow('inconsistent');
    expect(index.has('h')).toBe(false);
  });

  test('rejects settings outside BM25’s range', () => {
    expect(() => new KeywordIndex({ b: 2 })).toThrow('0 ≤ b ≤ 1');
    expect(() => new KeywordIndex({ weights: { title: 0.5, headings: 1, text: 1 } })).toThrow(
      'title weight',
    );
  });
});
