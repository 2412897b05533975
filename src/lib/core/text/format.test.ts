import { describe, expect, test } from 'vitest';
import { formatBytes, formatDuration, percent, plural, messageOf } from './format';

describe('format', () => {
  test('bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1234)).toBe('1.2 KB');
    expect(formatBytes(23_000_000)).toBe('23.0 MB');
    expect(formatBytes(133_000_000)).toBe('133 MB');
    expect(formatBytes(2.5e9)).toBe('2.5 GB');
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(Number.NaN)).toBe('–');
  });

  test('durations', () => {
    expect(formatDuration(0.84)).toBe('0.8 ms');
    expect(formatDuration(42.4)).toBe('42 ms');
    expect(formatDuration(1530)).toBe('1.5 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(120_000)).toBe('2 min');
  });

  test('plurals and percentages', () => {
    expect(plural(1, 'chunk')).toBe('1 chunk');
    expect(plural(1200, 'chunk')).toBe('1,200 chunks');
    expect(percent(5, 10)).toBe(50);
    expect(percent(5, 0)).toBe(0);
    expect(percent(15, 10)).toBe(100);
  });
});

describe('messageOf', () => {
  test('an Error gives its message; anything else is written out', () => {
    expect(messageOf(new TypeError('Failed to fetch'))).toBe('Failed to fetch');
    expect(messageOf(new DOMException('The operation was aborted.', 'AbortError'))).toBe(
      'The operation was aborted.',
    );
    expect(messageOf('disk full')).toBe('disk full');
    expect(messageOf(404)).toBe('404');
  });
});
