import { describe, expect, test } from 'vitest';
import { chunkEmbeddingText, embedByLength, passageEmbeddingText } from './embedding-input';

describe('passageEmbeddingText', () => {
  test('puts the model’s passage prefix before the heading path and text', () => {
    const chunk = { headingPath: ['Leave', 'Parental leave'], text: 'Sixteen weeks.' };
    expect(passageEmbeddingText(chunk, 'passage: ')).toBe(
      'passage: Leave › Parental leave\n\nSixteen weeks.',
    );
    expect(passageEmbeddingText(chunk, '')).toBe(chunkEmbeddingText(chunk));
  });
});

describe('embedByLength', () => {
  const texts = ['ccc', 'a', 'dddd', 'bb', 'eeeee'];
  /** A two-number "vector" per text: its length and its first letter's code. */
  const fake = (calls: string[][]) => async (batch: string[]) => {
    calls.push(batch);
    return Float32Array.from(batch.flatMap((t) => [t.length, t.charCodeAt(0)]));
  };
  const rowsOf = (v: Float32Array) => texts.map((_, i) => [v[2 * i], v[2 * i + 1]]);
  const expected = texts.map((t) => [t.length, t.charCodeAt(0)]);

  test('batches texts of similar length, shortest first, and returns rows in the texts’ order', async () => {
    const calls: string[][] = [];
    const vectors = await embedByLength(texts, fake(calls), { batchSize: 2 });
    expect(calls).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(rowsOf(vectors)).toEqual(expected);
  });

  test('longest first when asked', async () => {
    const calls: string[][] = [];
    const vectors = await embedByLength(texts, fake(calls), { batchSize: 2, longestFirst: true });
    expect(calls).toEqual([['eeeee', 'dddd'], ['ccc', 'bb'], ['a']]);
    expect(rowsOf(vectors)).toEqual(expected);
  });

  test('reports before each batch and at the end, and a throw there stops the work', async () => {
    const seen: [number, number][] = [];
    await embedByLength(texts, fake([]), { batchSize: 2, onBatch: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([
      [0, 5],
      [2, 5],
      [4, 5],
      [5, 5],
    ]);

    const calls: string[][] = [];
    const stop = (done: number) => {
      if (done === 2) throw new Error('stopped');
    };
    await expect(
      embedByLength(texts, fake(calls), { batchSize: 2, onBatch: stop }),
    ).rejects.toThrow('stopped');
    expect(calls).toHaveLength(1);
  });

  test('no texts: no call and an empty array', async () => {
    const calls: string[][] = [];
    expect(await embedByLength([], fake(calls), { batchSize: 4 })).toHaveLength(0);
    expect(calls).toEqual([]);
  });
});
