import { describe, expect, test } from 'vitest';
import {
  lowestCosine,
  lowestCosineText,
  MIN_AGREEMENT_COSINE,
  rowCosines,
  SELF_CHECK_SENTENCES,
  vectorsAgree,
} from './vector-agreement';

const rows = (...values: number[][]) => Float32Array.from(values.flat());

describe('rowCosines', () => {
  test('compares row i with row i, whatever the lengths', () => {
    const a = rows([1, 0, 0], [0, 2, 0], [1, 1, 0]);
    const b = rows([3, 0, 0], [0, 0, 5], [-1, -1, 0]);
    const [same, orthogonal, opposite] = rowCosines(a, b, 3);
    expect(same).toBeCloseTo(1, 6);
    expect(orthogonal).toBeCloseTo(0, 6);
    expect(opposite).toBeCloseTo(-1, 6);
  });

  test('gives NaN for a row of zeros or NaN, not a number that could pass', () => {
    const cosines = rowCosines(rows([1, 2], [0, 0], [NaN, 1]), rows([1, 2], [1, 2], [1, 1]), 2);
    expect(cosines[0]).toBeCloseTo(1, 6);
    expect(cosines[1]).toBeNaN();
    expect(cosines[2]).toBeNaN();
  });

  test('refuses arrays that are not the same rows', () => {
    expect(() => rowCosines(rows([1, 2]), rows([1, 2, 3]), 2)).toThrow(RangeError);
    expect(() => rowCosines(rows([1, 2, 3]), rows([1, 2, 3]), 2)).toThrow(RangeError);
  });
});

describe('vectorsAgree', () => {
  test('needs every sentence at or above the threshold', () => {
    expect(vectorsAgree([0.99, 0.97, MIN_AGREEMENT_COSINE])).toBe(true);
    expect(vectorsAgree([0.99, 0.99, 0.12])).toBe(false);
    expect(vectorsAgree([0.99, NaN])).toBe(false);
    expect(vectorsAgree([])).toBe(false);
    expect(vectorsAgree([0.95], 0.96)).toBe(false);
  });

  test('tells int8-like noise from unrelated vectors', () => {
    // A vector and a copy with 2% noise (about what int8 weights do) against a random one.
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const dimension = 384;
    const truth = Float32Array.from({ length: dimension }, random);
    const noisy = truth.map((x) => x + 0.02 * random());
    const unrelated = Float32Array.from({ length: dimension }, random);
    expect(vectorsAgree(rowCosines(truth, noisy, dimension))).toBe(true);
    expect(vectorsAgree(rowCosines(truth, unrelated, dimension))).toBe(false);
  });
});

test('the lowest cosine is the figure shown, NaN when any is', () => {
  expect(lowestCosine([0.99, 0.12, 0.5])).toBe(0.12);
  expect(lowestCosine([0.99, NaN])).toBeNaN();
  expect(lowestCosineText([0.99, 0.123, 0.5])).toBe('cosine 0.12');
  expect(lowestCosineText([0.99, NaN])).toBe('no usable vectors');
});

test('the check sentences are several, distinct and not empty', () => {
  expect(SELF_CHECK_SENTENCES.length).toBeGreaterThanOrEqual(4);
  expect(new Set(SELF_CHECK_SENTENCES).size).toBe(SELF_CHECK_SENTENCES.length);
  for (const sentence of SELF_CHECK_SENTENCES) expect(sentence.trim().length).toBeGreaterThan(0);
});
