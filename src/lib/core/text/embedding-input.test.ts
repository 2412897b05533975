import { describe, expect, test } from 'vitest';
import { chunkEmbeddingText, passageEmbeddingText } from './embedding-input';

describe('passageEmbeddingText', () => {
  test('puts the model’s passage prefix before the heading path and text', () => {
    const chunk = { headingPath: ['Leave', 'Parental leave'], text: 'Sixteen weeks.' };
    expect(passageEmbeddingText(chunk, 'passage: ')).toBe(
      'passage: Leave › Parental leave\n\nSixteen weeks.',
    );
    expect(passageEmbeddingText(chunk, '')).toBe(chunkEmbeddingText(chunk));
  });
});
