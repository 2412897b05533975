/**
 * The 1-based page holding `offset`, given where each page starts (ascending, the first 0): the
 * last page starting at or before it. Pages without text start where the next one does, so the
 * page found is the one with text.
 */
export function pageAt(pageStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = pageStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((pageStarts[mid] ?? 0) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(1, lo);
}
