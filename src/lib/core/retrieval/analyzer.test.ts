import { describe, expect, test } from 'vitest';
import { analyze, matchRanges, termOf, tokenize } from './analyzer';

describe('analyze', () => {
  test('lowercases, drops stop words and reduces words to their Porter stems', () => {
    expect(analyze('The Retrieval of relevant passages is retrieving them')).toEqual([
      'retriev',
      'relev',
      'passag',
      'retriev',
      'them',
    ]);
  });

  test('cuts at punctuation and hyphens but keeps decimals, thousands and inner apostrophes', () => {
    expect(analyze('COVID-19 rates rose 3.5% (10,000 cases); don’t panic')).toEqual([
      'covid',
      '19',
      'rate',
      'rose',
      '3.5',
      '10,000',
      'case',
      "don't",
      'panic',
    ]);
  });

  test('strips possessives and accents, so “Café’s” finds “cafe”', () => {
    expect(analyze("Café’s menu, Müller's notes")).toEqual(['cafe', 'menu', 'muller', 'note']);
    expect(termOf('naïve')).toBe(termOf('naive'));
  });

  test('stop words analyze to the empty term; nothing to analyze gives no terms', () => {
    expect(termOf('The')).toBe('');
    expect(analyze('')).toEqual([]);
    expect(analyze(' — … ')).toEqual([]);
  });
});

describe('tokenize and matchRanges', () => {
  test('tokens carry the offsets of the words they came from', () => {
    const text = 'Parental leave: leaving early';
    expect(tokenize(text)).toEqual([
      { term: 'parent', start: 0, end: 8 },
      { term: 'leav', start: 9, end: 14 },
      { term: 'leav', start: 16, end: 23 },
      { term: 'earli', start: 24, end: 29 },
    ]);
  });

  test('finds every surface form of the matched terms, to highlight them', () => {
    const text = 'Retrieved passages: retrieval is fast.';
    const ranges = matchRanges(text, ['retriev']);
    expect(ranges.map(([s, e]) => text.slice(s, e))).toEqual(['Retrieved', 'retrieval']);
    expect(matchRanges(text, [])).toEqual([]);
  });
});
