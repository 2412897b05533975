import { describe, expect, test } from 'vitest';
import { codeStride, Int8Rows, quantizeInto } from './quantized-index';
import { inverseNorms, topKCosine } from './top-k';
import { VectorIndex } from './vector-index';

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

/** Rows around a few centres, with some exact duplicates: many near-ties for the bound. */
function clustered(rows: number, dim: number, seed: number): Float32Array {
  const rand = random(seed);
  const centres = Array.from({ length: 5 }, () => Float32Array.from({ length: dim }, rand));
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    if (r % 10 === 9) {
      data.copyWithin(r * dim, (r - 1) * dim, r * dim);
      continue;
    }
    const centre = centres[r % 5]!;
    for (let d = 0; d < dim; d++) data[r * dim + d] = centre[d]! + 0.1 * rand();
  }
  return data;
}

describe('quantizeInto', () => {
  test('maps the largest magnitude to ±127 and reports the error it made', () => {
    const codes = new Int8Array(4);
    const source = Float32Array.from([0.5, -1, 0.25, 0]);
    const { scale, codeNorm, errorNorm } = quantizeInto(source, 0, 4, codes, 0);
    expect(Array.from(codes)).toEqual([64, -127, 32, 0]);
    expect(scale).toBeCloseTo(1 / 127, 10);
    const error = Math.hypot(0.5 - 64 / 127, 0.25 - 32 / 127);
    expect(errorNorm).toBeCloseTo(error, 7);
    expect(codeNorm).toBeCloseTo(Math.hypot(64, 127, 32) / 127, 7);
  });

  test('a zero vector gets zero codes and no error', () => {
    const codes = new Int8Array(3).fill(5);
    expect(quantizeInto(new Float32Array(3), 0, 3, codes, 0)).toEqual({
      scale: 0,
      codeNorm: 0,
      errorNorm: 0,
    });
    expect(Array.from(codes)).toEqual([0, 0, 0]);
  });
});

describe('Int8Rows', () => {
  test('the WebAssembly SIMD kernel and the plain loop compute the same dot products', () => {
    for (const dim of [1, 31, 33, 384]) {
      const rows = 50;
      const simd = new Int8Rows(dim, rows);
      const plain = new Int8Rows(dim, rows, { simd: false });
      expect(simd.simd).toBe(true); // Node has WebAssembly SIMD
      expect(plain.simd).toBe(false);
      expect(simd.stride).toBe(codeStride(dim));
      for (const store of [simd, plain]) {
        const r2 = random(dim);
        for (let i = 0; i < rows * simd.stride; i++) {
          store.codes[i] = i % simd.stride < dim ? Math.round(r2() * 254) : 0;
        }
        for (let d = 0; d < dim; d++) store.query[d] = d % 2 ? 127 : -127;
        store.computeDots(rows);
      }
      expect(Array.from(simd.dots)).toEqual(Array.from(plain.dots));
      expect(simd.dots.some((x) => x !== 0)).toBe(true);
    }
  });

  test('resizing keeps the rows asked for', () => {
    const store = new Int8Rows(8, 2);
    store.codes.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    store.resize(1000, 1);
    expect(store.capacity).toBe(1000);
    expect(Array.from(store.codes.subarray(0, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('quantized search in VectorIndex', () => {
  const cases = [
    {
      name: 'random',
      dim: 48,
      rows: 2000,
      make: (r: number, d: number) => Float32Array.from({ length: r * d }, random(11)),
    },
    {
      name: 'clustered with duplicates',
      dim: 37,
      rows: 2000,
      make: (r: number, d: number) => clustered(r, d, 5),
    },
  ];
  for (const { name, dim, rows, make } of cases) {
    for (const simd of [true, false]) {
      test(`${name} vectors, ${simd ? 'SIMD' : 'plain'} first pass: exactly the scan’s top k`, () => {
        const data = make(rows, dim); // not unit length: cosine must still come out right
        const index = new VectorIndex(dim, 16, { simd });
        for (let at = 0; at < rows; at += 500) {
          index.add(`d${at}`, at, data.subarray(at * dim, (at + 500) * dim));
        }
        const inv = inverseNorms(data, dim);
        const rand = random(99);
        let rescored = 0;
        for (let q = 0; q < 20; q++) {
          const query =
            q % 2 ? Float32Array.from({ length: dim }, rand) : data.slice(q * dim, (q + 1) * dim);
          for (const k of [1, 10, 50]) {
            const stats = { rescored: 0 };
            const got = index.search(query, k, { stats });
            const want = topKCosine(data, dim, rows, inv, query, k);
            expect(got.map((h) => h.ordinal)).toEqual(Array.from(want.rows));
            expect(got.map((h) => h.score)).toEqual(Array.from(want.scores));
            expect(index.search(query, k, { method: 'scan' })).toEqual(got);
            rescored += stats.rescored;
          }
        }
        // The bound rules out most rows.
        expect(rescored / 60).toBeLessThan(rows / 2);
      });
    }
  }

  test('stays exact after removing documents, and for zero vectors and k beyond the rows', () => {
    const dim = 40;
    const rand = random(21);
    const index = new VectorIndex(dim);
    const vectorsOf = new Map<string, Float32Array>();
    for (let d = 0; d < 6; d++) {
      const v = Float32Array.from({ length: 100 * dim }, rand);
      vectorsOf.set(`d${d}`, v);
      index.add(`d${d}`, 0, v);
    }
    index.add('zero', 0, new Float32Array(dim));
    index.remove('d1');
    index.remove('d4');
    const kept = ['d0', 'd2', 'd3', 'd5'];
    const data = new Float32Array(401 * dim);
    kept.forEach((id, i) => data.set(vectorsOf.get(id)!, i * 100 * dim));
    const inv = inverseNorms(data, dim);
    for (let q = 0; q < 10; q++) {
      const query = Float32Array.from({ length: dim }, rand);
      const got = index.search(query, 500);
      const want = topKCosine(data, dim, 401, inv, query, 500);
      expect(got).toHaveLength(401);
      expect(got.map((h) => h.score)).toEqual(Array.from(want.scores));
    }
    expect(index.search(new Float32Array(dim), 3).map((h) => h.score)).toEqual([0, 0, 0]);
  });

  test('rejects a query of the wrong dimension', () => {
    const index = new VectorIndex(4);
    index.add('a', 0, Float32Array.from([1, 0, 0, 0]));
    expect(() => index.search(new Float32Array(3), 1)).toThrow('3 dimensions; the index has 4');
  });
});
