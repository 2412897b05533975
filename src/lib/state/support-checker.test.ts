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
  test("embeds the answer's and the passages' sentences, and the passages' only once", async () => {
    const { embed, calls } = fakeEmbed(() => CALIBRATED);
    const checker = new SupportChecker(embed);
    const first = await checker.check(
      'How long is parental leave?',
      'Parental leave is 30 weeks at full pay.',
      PASSAGES,
    );
    expect(first.semantic).toBe(true);
    expect(first.sentences[0]!.level).toBe('supported');
    expect(first.sentences[0]!.cosine).toBeCloseTo(1);
    expect(calls[0]).toEqual([
      'Parental leave is 30 weeks at full pay.',
      'Parental leave is 30 weeks at full pay.',
      'It starts up to 4 weeks early.',
      'Receipts are kept for 7 years.',
    ]);
    // The other answer of the same question: only its own sentences are embedded.
    const second = await checker.check(
      'How long is parental leave?',
      'The moon is made of cheese.',
      PASSAGES,
    );
    expect(calls[1]).toEqual(['The moon is made of cheese.']);
    expect(second.sentences[0]!.level).toBe('missing');
  });

  test('a changed model embeds the passages again; an uncalibrated one checks by words', async () => {
    let model = CALIBRATED;
    const { embed, calls } = fakeEmbed(() => model);
    const checker = new SupportChecker(embed);
    await checker.check('q', 'Receipts are kept for 7 years.', PASSAGES);
    model = 'someone/other-model';
    const report = await checker.check('q', 'Receipts are kept for 7 years.', PASSAGES);
    expect(calls[1]).toEqual(['Receipts are kept for 7 years.']);
    expect(calls[2]).toHaveLength(3);
    expect(report.semantic).toBe(false);
    expect(report.lexicalReason).toBe('someone/other-model is not calibrated for this check.');
    expect(report.sentences[0]!.level).toBe('supported');
  });

  test('an embedding failure falls back to words and details, and says why', async () => {
    const checker = new SupportChecker(async () => {
      throw new Error('The embedding model is not loaded yet.');
    });
    const report = await checker.check('q', 'Receipts are kept for 7 years.', PASSAGES);
    expect(report.semantic).toBe(false);
    expect(report.lexicalReason).toBe(
      'The embedding model could not embed the sentences: The embedding model is not loaded yet.',
    );
    expect(report.sentences[0]!.level).toBe('supported');
  });
});
