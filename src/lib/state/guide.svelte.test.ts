import { describe, expect, test } from 'vitest';
import { Guide } from './guide.svelte';

/** localStorage as the guide uses it. */
function memoryStorage(entries: Record<string, string> = {}): Storage {
  const map = new Map(Object.entries(entries));
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
  } as Storage;
}

describe('Guide', () => {
  test('keeps its answers for the next visit, and forgets them on Start over', () => {
    const storage = memoryStorage();
    const guide = new Guide(storage);
    guide.answer('knowledge', 'often');
    guide.answer('citations', 'yes');

    const next = new Guide(storage);
    expect(next.answers).toEqual({ knowledge: 'often', citations: 'yes' });
    expect(next.recommendation).toEqual({
      verdict: null,
      missing: ['problem', 'labelledData', 'mlCapacity'],
    });

    next.startOver();
    expect(next.answers).toEqual({});
    expect(new Guide(storage).answers).toEqual({});
  });

  test('recommends once every question is answered', () => {
    const guide = new Guide(undefined);
    guide.answer('knowledge', 'rarely');
    guide.answer('citations', 'no');
    guide.answer('problem', 'style');
    guide.answer('labelledData', 'yes');
    guide.answer('mlCapacity', 'yes');
    expect(guide.recommendation.verdict).toBe('fine-tuning');
    guide.answer('mlCapacity', 'no');
    expect(guide.recommendation.verdict).toBe('prompt-first');
  });

  test('an unreadable or tampered saved value starts empty or keeps only valid answers', () => {
    expect(new Guide(memoryStorage({ 'grounded:guide': '{not json' })).answers).toEqual({});
    expect(
      new Guide(memoryStorage({ 'grounded:guide': '{"problem":"both","knowledge":"daily"}' }))
        .answers,
    ).toEqual({ problem: 'both' });
  });
});
