import { describe, expect, test } from 'vitest';
import type { SupportPassage } from '../core/answers/support';
import { SupportChecker, type EmbedTexts } from './support-checker';

const PASSAGES: SupportPassage[] = [
  { number: 1, text: 'Parental leave is 30 weeks at full pay. It starts up to 4 weeks early.' },
  { number: 2, text: 'Receipts are kept for 7 years.' },
];
const CALIBRATED = 'Xenova/all-MiniLM-L6-v2';

/** A stand-in embedder: one-hot vectors by text, so equal texts have cosine 1, others 0. */
function fakeEmbed(modelId: () => string) {
  const calls: string[][] = [];
  const ids = new Map<string, number>();
  const DIM = 64;
  const embed: EmbedTexts = async (texts) => {
    calls.push(texts);
    const vectors = new Float32Array(texts.length * DIM);
    texts.forEach((text, i) => {
      if (!ids.has(text)) ids.set(text, ids.size % DIM);
      vectors[i * DIM + ids.get(text)!] = 1;
    });
    return { vectors, dimension: DIM, modelId: modelId() };
  };
  return { embed, calls };
}

describe('SupportChecker', () => {
  test('embeds only the claims meaning can decide, and the passage sentences they need, once', async () => {
    const { embed, calls } = fakeEmbed(() => CALIBRATED);
    const checker = new SupportChecker(embed, () => CALIBRATED);
    const first = await checker.check(
      'What does the policy say?',
      // Copied from a passage: supported whatever the cosine. Three words of four: it depends.
      'Parental leave is 30 weeks at full pay. Receipts are kept for many years.',
      PASSAGES,
    );
    expect(first.semantic).toBe(true);
    expect(first.sentences.map((s) => s.level)).toEqual(['supported', 'supported']);
    expect(first.sentences.map((s) => s.cosine)).toEqual([null, 0]);
    expect(calls).toEqual([
      ['Receipts are kept for many years.', 'Receipts are kept for 7 years.'],
    ]);
    // The question's other answer: its own sentence only; the passage sentence is kept.
    await checker.check(
      'What does the policy say?',
      'Receipts are kept for many, many years.',
      PASSAGES,
    );
    expect(calls[1]).toEqual(['Receipts are kept for many, many years.']);
    // Nothing meaning could change: nothing embedded.
    await checker.check('q', 'The moon is made of cheese.', PASSAGES);
    expect(calls).toHaveLength(2);
  });

  test('an uncalibrated model, or none, checks by words and details and embeds nothing', async () => {
    const { embed, calls } = fakeEmbed(() => 'someone/other-model');
    const other = await new SupportChecker(embed, () => 'someone/other-model').check(
      'q',
      'Receipts are kept for many years.',
      PASSAGES,
    );
    expect(other.semantic).toBe(false);
    expect(other.lexicalReason).toBe('someone/other-model is not calibrated for this check.');
    const none = await new SupportChecker(embed, () => null).check('q', 'Receipts.', PASSAGES);
    expect(none.lexicalReason).toBe('No embedding model is loaded.');
    expect(calls).toEqual([]);
  });

  test('an embedding failure, or a model changed meanwhile, falls back to words and says why', async () => {
    const failing = new SupportChecker(
      async () => {
        throw new Error('The embedding model is not loaded yet.');
      },
      () => CALIBRATED,
    );
    const report = await failing.check('q', 'Receipts are kept for many years.', PASSAGES);
    expect(report.semantic).toBe(false);
    expect(report.lexicalReason).toBe(
      'The embedding model could not embed the sentences: The embedding model is not loaded yet.',
    );
    const { embed } = fakeEmbed(() => 'Xenova/bge-small-en-v1.5');
    const changed = await new SupportChecker(embed, () => CALIBRATED).check(
      'q',
      'Receipts are kept for many years.',
      PASSAGES,
    );
    expect(changed.lexicalReason).toBe('The embedding model changed during the check.');
  });
});
