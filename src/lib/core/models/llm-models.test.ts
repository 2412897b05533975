import { describe, expect, test } from 'vitest';
import { llamaThreads } from './llm-models';

describe('llamaThreads', () => {
  test('two cores get two threads, not wllama’s default of one', () => {
    expect(llamaThreads(2)).toBe(2);
  });
  test('larger machines keep half their cores', () => {
    expect(llamaThreads(4)).toBe(2);
    expect(llamaThreads(8)).toBe(4);
    expect(llamaThreads(16)).toBe(8);
  });
  test('one core, or an unknown count, gets one thread', () => {
    expect(llamaThreads(1)).toBe(1);
    expect(llamaThreads(0)).toBe(1);
    expect(llamaThreads(Number.NaN)).toBe(1);
  });
});
