/** How both answers are sampled; they share one setting so they differ only by their prompts. */
export interface Sampling {
  /** 0 is greedy; higher is more varied. */
  temperature: number;
  /** Nucleus sampling: only tokens within this much probability mass are considered. */
  topP: number;
  /** Fixes the random choices, so the same question gives the same answers. */
  seed: number;
  /** The longest answer, in tokens. */
  maxTokens: number;
}

/** Low temperature: a RAG answer should stick to its passages rather than be creative. */
export const DEFAULT_SAMPLING: Sampling = { temperature: 0.2, topP: 0.9, seed: 42, maxTokens: 384 };

export const SAMPLING_LIMITS = {
  temperature: { min: 0, max: 2 },
  topP: { min: 0.05, max: 1 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  maxTokens: { min: 16, max: 4096 },
} as const;

/** Why `value` is not a usable sampling setting, in words for the settings panel; null if it is. */
export function validateSampling(value: Partial<Sampling>): string | null {
  const { temperature, topP, seed, maxTokens } = value;
  const within = (n: unknown, { min, max }: { min: number; max: number }) =>
    typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max;
  if (!within(temperature, SAMPLING_LIMITS.temperature)) return 'Temperature must be from 0 to 2.';
  if (!within(topP, SAMPLING_LIMITS.topP)) return 'Top-p must be from 0.05 to 1.';
  if (!within(seed, SAMPLING_LIMITS.seed) || !Number.isInteger(seed))
    return 'The seed must be a whole number from 0 to 2147483647.';
  if (!within(maxTokens, SAMPLING_LIMITS.maxTokens) || !Number.isInteger(maxTokens))
    return 'Max tokens must be a whole number from 16 to 4096.';
  return null;
}
