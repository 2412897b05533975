import { describe, expect, test } from 'vitest';
import { chunkDocument, DEFAULT_CHUNKING } from './chunking';
import { estimateTokens, withCharacterFloor } from './token-estimate';

describe('estimateTokens', () => {
  test('whitespace and empty text count nothing', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens(' \t\r\n\u00a0\u3000')).toBe(0);
  });

  test('short words and punctuation count one each', () => {
    expect(estimateTokens('the cat sat')).toBe(3);
    expect(estimateTokens('Hello, world!')).toBe(4);
    // WordPiece splits "don't" into don ' t
    expect(estimateTokens("don't")).toBe(3);
  });

  test('long words count extra, so rare words are not under-counted', () => {
    expect(estimateTokens('leave')).toBe(1);
    expect(estimateTokens('sabbatical')).toBe(2);
    expect(estimateTokens('electroencephalography')).toBe(5);
    expect(estimateTokens('x'.repeat(1000))).toBeGreaterThan(200);
  });

  test('numbers count more than words of the same length', () => {
    expect(estimateTokens('2024')).toBe(2);
    expect(estimateTokens('1234567890')).toBeGreaterThan(estimateTokens('abcdefghij'));
  });

  test('each CJK ideograph, kana and Hangul syllable counts one', () => {
    expect(estimateTokens('育儿假')).toBe(3);
    expect(estimateTokens('育儿假。')).toBe(4);
    expect(estimateTokens('これは日本語')).toBe(6);
    expect(estimateTokens('한국어')).toBe(3);
    expect(estimateTokens('𠀀𠀁')).toBe(2); // Extension B, outside the BMP
  });

  test('emoji count at least one per code point, and surrogate pairs are read whole', () => {
    expect(estimateTokens('👍')).toBe(1);
    expect(estimateTokens('🇯🇵')).toBe(2);
    expect(estimateTokens('👍🏽')).toBe(2);
    expect(estimateTokens('👨\u200d👩\u200d👧')).toBe(5);
    expect(estimateTokens('\ud83d')).toBe(1); // a lone surrogate still counts
  });

  test('non-Latin words count more than Latin words of the same length', () => {
    expect(estimateTokens('отпуск')).toBeGreaterThan(estimateTokens('leaves'));
    expect(estimateTokens('café')).toBe(1);
  });

  test('appending text never lowers the count', () => {
    const pieces = ['a', 'word', ' ', '.', '育', '👍', '\u0301', '99', 'Ω', '\n', 'straße'];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const drops: string[] = [];
    for (let run = 0; run < 200; run++) {
      let text = '';
      let previous = 0;
      for (let step = 0; step < 40; step++) {
        text += pieces[Math.floor(random() * pieces.length)] ?? '';
        const count = estimateTokens(text);
        if (count < previous) drops.push(JSON.stringify(text));
        previous = count;
      }
    }
    expect(drops).toEqual([]);
  });

  test('5 MB of mixed text is counted in linear time', () => {
    const text = 'Parental leave is 16 weeks, paid in full. 育儿假的长度。 👍🏽 Отпуск. '.repeat(
      80_000,
    );
    const started = performance.now();
    const count = estimateTokens(text);
    expect(count).toBeGreaterThan(1_000_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('withCharacterFloor', () => {
  // WordPiece reads a word of over 100 characters as one unknown token.
  const wordPiece = (text: string) =>
    text
      .split(/\s+/)
      .filter(Boolean)
      .reduce((n, w) => n + (w.length > 100 ? 1 : w.length), 0);

  test('counts at least one token per 12 characters, else what the counter says', () => {
    const floored = withCharacterFloor(wordPiece);
    expect(floored('x'.repeat(1200))).toBe(100);
    expect(floored('a b c')).toBe(3);
    expect(withCharacterFloor(() => 0, 4)('12345')).toBe(2);
  });

  test('a long line without spaces is still split into chunks', () => {
    const source = 'x'.repeat(200_000);
    expect(chunkDocument(source, 'plain', DEFAULT_CHUNKING, wordPiece)).toHaveLength(1);
    const chunks = chunkDocument(source, 'plain', DEFAULT_CHUNKING, withCharacterFloor(wordPiece));
    expect(chunks.length).toBe(Math.ceil(200_000 / (DEFAULT_CHUNKING.targetTokens * 12)));
    expect(chunks.every((c) => c.text.length <= DEFAULT_CHUNKING.targetTokens * 12)).toBe(true);
  });
});
