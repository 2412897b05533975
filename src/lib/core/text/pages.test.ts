import { expect, test } from 'vitest';
import { pageAt } from './pages';

test('pageAt finds the 1-based page holding an offset', () => {
  const starts = [0, 120, 120, 300];
  expect(pageAt(starts, 0)).toBe(1);
  expect(pageAt(starts, 119)).toBe(1);
  // Page 2 has no text: it starts where page 3 does, and offsets there are page 3's.
  expect(pageAt(starts, 120)).toBe(3);
  expect(pageAt(starts, 299)).toBe(3);
  expect(pageAt(starts, 5000)).toBe(4);
  expect(pageAt([0], 7)).toBe(1);
  expect(pageAt([], 7)).toBe(1);
});
