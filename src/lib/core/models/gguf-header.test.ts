import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GGUF_HEADER_BYTES, ggufHeaderProblem } from './gguf-header';

const stories = readFileSync(
  new URL(
    '../../../../test/fixtures/models/grounded-test/stories260K/stories260K.gguf',
    import.meta.url,
  ),
);
const head = (bytes: Uint8Array) => bytes.subarray(0, GGUF_HEADER_BYTES);

describe('ggufHeaderProblem', () => {
  test('accepts a real GGUF model', () => {
    expect(ggufHeaderProblem(head(stories), stories.length)).toBeNull();
  });

  test('refuses text renamed .gguf, a truncated file, an unknown version and a damaged header', () => {
    const text = new TextEncoder().encode('this is not a model, just some notes....');
    expect(ggufHeaderProblem(head(text), text.length)).toMatch(/does not start like a GGUF/);
    expect(ggufHeaderProblem(stories.subarray(0, 10), 10)).toMatch(/too small/);
    const future = Uint8Array.from(head(stories));
    future[4] = 9;
    expect(ggufHeaderProblem(future, stories.length)).toMatch(/version 9/);
    const damaged = Uint8Array.from(head(stories));
    damaged.fill(0xff, 8, 16);
    expect(ggufHeaderProblem(damaged, stories.length)).toMatch(/damaged/);
  });
});
