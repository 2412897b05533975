import { describe, expect, test } from 'vitest';
import { DEFAULT_SAMPLING, validateSampling } from './sampling';

describe('validateSampling', () => {
  test('accepts the defaults and the limits', () => {
    expect(validateSampling(DEFAULT_SAMPLING)).toBeNull();
    expect(validateSampling({ temperature: 0, topP: 1, seed: 0, maxTokens: 16 })).toBeNull();
  });

  test.each([
    [{ temperature: -0.1 }, /Temperature/],
    [{ temperature: Number.NaN }, /Temperature/],
    [{ topP: 0 }, /Top-p/],
    [{ seed: 1.5 }, /seed/],
    [{ maxTokens: 5000 }, /Max tokens/],
    [{ maxTokens: 100.5 }, /Max tokens/],
  ])('refuses %o', (change, message) => {
    expect(validateSampling({ ...DEFAULT_SAMPLING, ...change })).toMatch(message);
  });
});
