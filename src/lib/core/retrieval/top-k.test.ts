import { describe, expect, test } from 'vitest';
import { inverseNorms, norm, normalized, TopKHeap, topKCosine } from './top-k';

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function bruteForce(data: Float32Array, dim: number, query: Float32Array, k: number) {
  const rows = data.length / dim;
  const qn = norm(query);
  const scored = Array.from({ length: rows }, (_, r) => {
    let dot = 0;
    let nn = 0;
    for (let d = 0; d < dim; d++) {
      dot += data[r * dim + d]! * query[d]!;
      nn += data[r * dim + d]! ** 2;
    }
    return { row: r, score: dot / (Math.sqrt(nn) * qn) };
  });
  return scored.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k);
}

describe('topKCosine', () => {
  test('matches a brute-force sort on random data', () => {
    const rand = random(7);
    const dim = 24;
    const rows = 500;
    const data = Float32Array.from({ length: rows * dim }, rand);
    const inv = inverseNorms(data, dim);
    for (let trial = 0; trial < 20; trial++) {
      const query = Float32Array.from({ length: dim }, rand);
      const { rows: got, scores } = topKCosine(data, dim, rows, inv, query, 10);
      const want = bruteForce(data, dim, query, 10);
      expect(Array.from(got)).toEqual(want.map((w) => w.row));
      want.forEach((w, i) => expect(scores[i]).toBeCloseTo(w.score, 5));
    }
  });

  test('scores are cosine similarities whatever the vectors’ lengths', () => {
    const data = Float32Array.from([3, 0, 0, 0, 2, 0, 1, 1, 0]);
    const { rows, scores } = topKCosine(
      data,
      3,
      3,
      inverseNorms(data, 3),
      Float32Array.from([10, 0, 0]),
      3,
    );
    expect(Array.from(rows)).toEqual([0, 2, 1]);
    expect(scores[0]).toBeCloseTo(1);
    expect(scores[1]).toBeCloseTo(Math.SQRT1_2);
    expect(scores[2]).toBeCloseTo(0);
  });

  test('k larger than the rows returns every row; k of 0 or no rows returns none', () => {
    const data = Float32Array.from([1, 0, 0, 1]);
    const inv = inverseNorms(data, 2);
    expect(topKCosine(data, 2, 2, inv, Float32Array.from([1, 1]), 10).rows).toHaveLength(2);
    expect(topKCosine(data, 2, 2, inv, Float32Array.from([1, 1]), 0).rows).toHaveLength(0);
    expect(topKCosine(data, 2, 0, inv, Float32Array.from([1, 1]), 5).rows).toHaveLength(0);
  });

  test('ties keep the earlier row first, so results are stable', () => {
    const data = Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1]);
    const { rows } = topKCosine(data, 2, 4, inverseNorms(data, 2), Float32Array.from([1, 0]), 2);
    expect(Array.from(rows)).toEqual([0, 1]);
  });

  test('zero vectors score 0 instead of NaN', () => {
    const data = Float32Array.from([0, 0, 1, 0]);
    const { scores } = topKCosine(data, 2, 2, inverseNorms(data, 2), Float32Array.from([1, 0]), 2);
    expect(Array.from(scores)).toEqual([1, 0]);
  });

  test('rejects a query of the wrong dimension with a clear message', () => {
    const data = new Float32Array(6);
    expect(() => topKCosine(data, 3, 2, new Float32Array(2), new Float32Array(4), 1)).toThrow(
      'The query has 4 dimensions; the index has 3.',
    );
  });

  test('normalized gives unit length and leaves zero vectors at zero', () => {
    expect(norm(normalized(Float32Array.from([3, 4])))).toBeCloseTo(1);
    expect(Array.from(normalized(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});

describe('TopKHeap', () => {
  test('keeps the best k pushed in any order, ties to the lower row, best first', () => {
    const heap = new TopKHeap(3);
    expect(heap.threshold).toBe(-Infinity);
    for (const [row, score] of [
      [5, 0.5],
      [1, 0.9],
      [7, 0.5],
      [2, 0.1],
      [3, 0.5],
      [4, 0.95],
    ]) {
      heap.push(row!, score!);
    }
    expect(heap.size).toBe(3);
    expect(heap.threshold).toBeCloseTo(0.5);
    const { rows, scores } = heap.result();
    expect(Array.from(rows)).toEqual([4, 1, 3]);
    expect(Array.from(scores)).toEqual([0.95, 0.9, 0.5].map(Math.fround));
    expect(new TopKHeap(0).result().rows).toHaveLength(0);
  });
});
