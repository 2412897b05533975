import { describe, expect, test } from 'vitest';
import { VectorIndex, encodeRows } from './vector-index';

const unit = (...v: number[]) => Float32Array.from(v);

describe('VectorIndex', () => {
  test('finds the nearest chunks across documents with their ordinals', () => {
    const index = new VectorIndex(2, 1);
    index.add('a', 0, Float32Array.from([1, 0, 0, 1]));
    index.add('b', 0, Float32Array.from([0.7, 0.7, -1, 0]));
    expect(index.size).toBe(4);
    expect(index.documentCount).toBe(2);
    const hits = index.search(unit(1, 0.1), 2);
    expect(hits.map((h) => [h.docId, h.ordinal])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  test('removing a document drops all its rows and keeps the others searchable', () => {
    const index = new VectorIndex(2);
    index.add('a', 0, Float32Array.from([1, 0, 0.9, 0.1]));
    index.add('b', 0, Float32Array.from([0, 1]));
    index.add('c', 5, Float32Array.from([1, 0.05]));
    expect(index.remove('a')).toBe(2);
    expect(index.remove('a')).toBe(0);
    expect(index.has('a')).toBe(false);
    expect(index.size).toBe(2);
    const hits = index.search(unit(1, 0), 5);
    expect(hits.map((h) => [h.docId, h.ordinal])).toEqual([
      ['c', 5],
      ['b', 0],
    ]);
  });

  test('grows past its initial capacity without losing vectors', () => {
    const index = new VectorIndex(3, 2);
    for (let i = 0; i < 100; i++) index.add(`d${i}`, 0, Float32Array.from([i, 1, 0]));
    expect(index.size).toBe(100);
    expect(index.search(unit(1, 0, 0), 1)[0]!.docId).toBe('d99');
    expect(index.byteLength).toBeGreaterThanOrEqual(100 * 3 * 4);
  });

  test('rejects vectors that do not fit its dimension', () => {
    const index = new VectorIndex(4);
    expect(() => index.add('x', 0, new Float32Array(6))).toThrow('not a multiple of 4');
    expect(() => new VectorIndex(0)).toThrow('Invalid dimension');
  });

  test('clear empties it', () => {
    const index = new VectorIndex(2);
    index.add('a', 0, unit(1, 0));
    index.clear();
    expect(index.size).toBe(0);
    expect(index.search(unit(1, 0), 3)).toEqual([]);
  });
});

test('an index adopted from encoded rows finds what one built row by row finds, and grows', () => {
  const dim = 24;
  let seed = 5;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const a = Float32Array.from({ length: 40 * dim }, random);
  const b = Float32Array.from({ length: 25 * dim }, random);
  const built = new VectorIndex(dim);
  built.add('a', 0, a);
  built.add('b', 3, b);
  const both = new Float32Array([...a, ...b]);
  const adopted = VectorIndex.fromEncoded(encodeRows(both, dim), [
    { docId: 'a', firstOrdinal: 0, count: 40 },
    { docId: 'b', firstOrdinal: 3, count: 25 },
  ]);
  for (let q = 0; q < 10; q++) {
    const query = Float32Array.from({ length: dim }, random);
    expect(adopted.search(query, 5)).toEqual(built.search(query, 5));
  }
  const c = Float32Array.from({ length: 2000 * dim }, random);
  built.add('c', 0, c);
  adopted.add('c', 0, c);
  expect(adopted.remove('a')).toBe(40);
  built.remove('a');
  const query = Float32Array.from({ length: dim }, random);
  expect(adopted.search(query, 10)).toEqual(built.search(query, 10));
  expect(() =>
    VectorIndex.fromEncoded(encodeRows(both, dim), [{ docId: 'a', firstOrdinal: 0, count: 3 }]),
  ).toThrow(/cover/);
});

test('without its codes an index scans exactly, refuses changes, and takes the codes later', () => {
  const dim = 16;
  let seed = 9;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const vectors = Float32Array.from({ length: 300 * dim }, random);
  const encoded = encodeRows(vectors, dim);
  const runs = [{ docId: 'a', firstOrdinal: 0, count: 300 }];
  const complete = VectorIndex.fromEncoded(encoded, runs);
  const waiting = VectorIndex.fromEncoded({ ...encoded, codes: null }, runs);
  expect(waiting.codesMissing).toBe(true);
  const query = Float32Array.from({ length: dim }, random);
  const stats = { rescored: 0 };
  expect(waiting.search(query, 5, { stats })).toEqual(
    complete.search(query, 5, { method: 'scan' }),
  );
  expect(stats.rescored).toBe(0); // no first pass ran
  expect(() => waiting.remove('a')).toThrow(/codes/);
  expect(() => waiting.add('b', 0, vectors.subarray(0, dim))).toThrow(/codes/);
  expect(() => waiting.attachCodes(encoded.codes.subarray(0, 10))).toThrow(/rows/);
  waiting.attachCodes(encoded.codes);
  expect(waiting.codesMissing).toBe(false);
  expect(waiting.search(query, 5, { stats })).toEqual(complete.search(query, 5));
  expect(stats.rescored).toBeGreaterThan(0);
  expect(waiting.remove('a')).toBe(300);
});
