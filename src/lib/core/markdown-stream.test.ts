import { describe, expect, test } from 'vitest';
import { MarkdownStream, parseMarkdown } from './markdown-stream';

/** Feeds `text` in pieces of `size` characters, as tokens arrive. */
function streamed(text: string, size: number): MarkdownStream {
  const stream = new MarkdownStream();
  for (let i = 0; i < text.length; i += size) stream.append(text.slice(i, i + size));
  return stream;
}

const SAMPLES: Record<string, string> = {
  paragraphs: 'Parental leave is **30 weeks** [1].\n\nIt is paid in full [2][3].\n\nAsk HR.',
  'nested lists':
    '1. First step\n   - detail *a*\n   - detail b\n2. Second step\n\n   still the second item\n\nAfter the list.',
  'code with blank lines':
    'Run this:\n\n```python\ndef f():\n\n    return 1\n\n\n```\n\nDone `inline`.',
  headings:
    '# Title\n\nText under it.\n\n## Sub [1]\nMore ~~old~~ text.\n\n---\n\n> quoted\n> lines [2]',
  'links and html':
    'See [the site](https://example.org) or [bad](javascript:alert(1)). <b>bold?</b>\n\n<div onclick="x()">\n\nhi</div>',
  table: '| Item | Cost |\n| :--- | ---: |\n| Tuner | £40 [1] |\n| Strap | £5 |\n\nThat is all.',
  'citation definitions': 'Answer [1].\n\n[1]: Handbook, Leave section\n[2]: Policy',
  crlf: 'One\r\n\r\nTwo\r\n- a\r\n- b',
};

describe('MarkdownStream', () => {
  test.each(Object.entries(SAMPLES))(
    'streaming %s in any piece size gives the blocks of the whole text',
    (_name, text) => {
      const whole = parseMarkdown(text);
      for (const size of [1, 2, 3, 7, 50]) {
        expect(streamed(text, size).blocks).toEqual(whole);
      }
    },
  );

  test('finished blocks keep their objects and ids while the answer grows', () => {
    const stream = new MarkdownStream();
    stream.append('First paragraph.\n\nSecond');
    const [first] = stream.blocks;
    stream.append(' paragraph, growing');
    stream.append('.\n\nThird.');
    expect(stream.blocks[0]).toBe(first);
    expect(stream.blocks.map((b) => b.id)).toEqual([0, 1, 2]);
    expect(stream.blocks.map((b) => b.type)).toEqual(['paragraph', 'paragraph', 'paragraph']);
  });

  test('work per token is bounded by the last block, so it grows linearly with the answer', () => {
    const paragraph = (i: number) =>
      `Paragraph ${i} says that the **Kittiwake K20** ships with a strap [${(i % 3) + 1}] and a case. `.repeat(
        3,
      );
    const answer = (n: number) =>
      Array.from({ length: n }, (_, i) => paragraph(i)).join('\n\n') +
      '\n\n- one\n- two\n\n```js\nconst x = 1;\n\nconsole.log(x);\n```\n';
    const short = answer(20);
    const long = answer(40);
    const a = streamed(short, 4);
    const b = streamed(long, 4);
    expect(short.length).toBeGreaterThan(4000);
    // Re-parsing the whole answer on every 4-character token would lex about n²/8 characters.
    const wholeEachTime = (short.length * short.length) / 8;
    expect(a.charsLexed).toBeLessThan(wholeEachTime / 10);
    // Twice the answer, about twice the work (quadratic would be four times).
    expect(b.charsLexed / a.charsLexed).toBeLessThan(2.3);
    expect(b.blocks).toHaveLength(42);
  });

  test('reset starts a new answer', () => {
    const stream = new MarkdownStream();
    stream.append('Old answer.\n\nMore.');
    stream.reset();
    stream.append('New.');
    expect(stream.blocks).toEqual(parseMarkdown('New.'));
  });
});
