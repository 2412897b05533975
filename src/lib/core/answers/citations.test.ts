import { describe, expect, test } from 'vitest';
import { checkCitations, findCitations } from './citations';

/** The numbers of each citation found, in order. */
function numbers(text: string): number[][] {
  return findCitations(text).map((match) => match.numbers);
}

describe('findCitations', () => {
  test('finds single citations with their exact offsets', () => {
    const text = 'Leave is 16 weeks [1]. It is paid [12].';
    const found = findCitations(text);
    expect(found.map(({ start, end }) => text.slice(start, end))).toEqual(['[1]', '[12]']);
    expect(found.map((match) => match.numbers)).toEqual([[1], [12]]);
  });

  test('reads lists with and without spaces, and spaces inside the brackets', () => {
    expect(numbers('a [1, 2] b [1,3] c [ 4 ] d [5 ,6] e [7; 8]')).toEqual([
      [1, 2],
      [1, 3],
      [4],
      [5, 6],
      [7, 8],
    ]);
  });

  test('adjacent brackets are separate citations', () => {
    const text = 'Both say so [1][3].';
    expect(findCitations(text)).toEqual([
      { start: 12, end: 15, numbers: [1] },
      { start: 15, end: 18, numbers: [3] },
    ]);
    expect(numbers('[1][2][3]')).toEqual([[1], [2], [3]]);
  });

  test('expands ranges, with hyphen or en dash', () => {
    expect(numbers('see [1-3] and [4 – 5] and [2, 5-6]')).toEqual([
      [1, 2, 3],
      [4, 5],
      [2, 5, 6],
    ]);
    expect(numbers('[3-3]')).toEqual([[3]]);
  });

  test('reads CJK and fullwidth brackets and separators', () => {
    const text = '育儿假为十六周【1】，带薪【2，3】。［4］';
    expect(numbers(text)).toEqual([[1], [2, 3], [4]]);
    expect(text.slice(findCitations(text)[0]!.start, findCitations(text)[0]!.end)).toBe('【1】');
  });

  test('ignores markdown links, reference links and footnotes', () => {
    expect(numbers('see [1](https://example.com) and [the policy](policy.md)')).toEqual([]);
    expect(numbers('see [the policy][1] for more')).toEqual([]);
    expect(numbers('a footnote[^1] and [^2]')).toEqual([]);
    // A link next to a real citation does not hide it.
    expect(numbers('[policy](p.md) [2]')).toEqual([[2]]);
  });

  test('ignores malformed brackets', () => {
    for (const text of ['[1', '1]', '[a]', '[]', '[ ]', '[1.5]', '[1,]', '[,1]', '[1-]', '[-1]']) {
      expect(numbers(text), text).toEqual([]);
    }
    expect(numbers('[1 2]')).toEqual([]);
    expect(numbers('[3-1]')).toEqual([]); // a backwards range is not a citation
  });

  test('ignores absurd numbers: years, quantities, indexes', () => {
    expect(numbers('in [2024] and [1000] and [1, 5000]')).toEqual([]);
    expect(numbers('[999]')).toEqual([[999]]);
  });

  test('finds nothing in text without citations', () => {
    expect(findCitations('')).toEqual([]);
    expect(findCitations('The documents do not say.')).toEqual([]);
  });

  test('a bracket in a word or after text is still a citation', () => {
    expect(numbers('leave[1]. pay:[2]')).toEqual([[1], [2]]);
    expect(numbers('[[1]]')).toEqual([[1]]);
  });
});

describe('checkCitations', () => {
  test('lists the passages cited, sorted and each once', () => {
    expect(checkCitations('A [3]. B [1][3]. C [2, 1].', 3)).toEqual({
      cited: [1, 2, 3],
      invalid: [],
      citesNothing: false,
    });
  });

  test('separates numbers out of range: 0 and above the passage count', () => {
    expect(checkCitations('A [0]. B [2]. C [4][7]. D [4].', 3)).toEqual({
      cited: [2],
      invalid: [0, 4, 7],
      citesNothing: false,
    });
  });

  test('a range is checked number by number', () => {
    expect(checkCitations('[2-5]', 3)).toEqual({
      cited: [2, 3],
      invalid: [4, 5],
      citesNothing: false,
    });
  });

  test('an answer without citations cites nothing', () => {
    expect(checkCitations('Sixteen weeks.', 3)).toEqual({
      cited: [],
      invalid: [],
      citesNothing: true,
    });
  });

  test('an answer citing only passages that do not exist cites nothing', () => {
    expect(checkCitations('Sixteen weeks [5].', 3)).toEqual({
      cited: [],
      invalid: [5],
      citesNothing: true,
    });
    expect(checkCitations('Sixteen weeks [1].', 0).citesNothing).toBe(true);
  });

  test('links and malformed brackets are not counted', () => {
    expect(checkCitations('See [1](x.md), [a], [1.5] and [2', 3)).toEqual({
      cited: [],
      invalid: [],
      citesNothing: true,
    });
  });
});
