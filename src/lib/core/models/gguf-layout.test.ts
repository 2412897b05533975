import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ggufLayoutProblem } from './gguf-layout';

const stories = readFileSync(
  new URL(
    '../../../../test/fixtures/models/grounded-test/stories260K/stories260K.gguf',
    import.meta.url,
  ),
);
const blob = (bytes: Uint8Array) => new Blob([Uint8Array.from(bytes)]);

describe('ggufLayoutProblem', () => {
  test('accepts a whole model: its last tensor ends where the file does', async () => {
    expect(await ggufLayoutProblem(blob(stories))).toBeNull();
  });

  test('finds a file cut short, in its tensor data or in its header', async () => {
    expect(await ggufLayoutProblem(blob(stories.subarray(0, stories.length - 1)))).toBe(
      `it is cut short: its tensors end at byte ${stories.length.toLocaleString('en')}, but the file has ${(stories.length - 1).toLocaleString('en')} bytes`,
    );
    expect(await ggufLayoutProblem(blob(stories.subarray(0, stories.length >> 1)))).toMatch(
      /^it is cut short: /,
    );
    expect(await ggufLayoutProblem(blob(stories.subarray(0, 4096)))).toBe(
      'it is cut short inside its header',
    );
  });

  test('finds a damaged header: a metadata value of no known type', async () => {
    const damaged = Uint8Array.from(stories);
    // The first key's value type follows the 24-byte header and the key (length-prefixed).
    const keyLength = Number(new DataView(damaged.buffer).getBigUint64(24, true));
    new DataView(damaged.buffer).setUint32(32 + keyLength, 99, true);
    expect(await ggufLayoutProblem(blob(damaged))).toBe('its header is damaged');
  });
});
