import { describe, expect, test } from 'vitest';
import {
  parseMarkdown,
  safeHref,
  splitCitations,
  type BlockNode,
  type Inline,
} from './markdown-ast';

/** The inline nodes of a one-paragraph text. */
function inlines(markdown: string): Inline[] {
  const blocks = parseMarkdown(markdown);
  expect(blocks).toHaveLength(1);
  expect(blocks[0]!.type).toBe('paragraph');
  return (blocks[0] as Extract<BlockNode, { type: 'paragraph' }>).children;
}

const text = (t: string): Inline => ({ type: 'text', text: t });
const cite = (n: number): Inline => ({ type: 'citation', n });

describe('splitCitations', () => {
  test('single, listed, adjacent and ranged citations become numbers', () => {
    expect(splitCitations('Paid [1].')).toEqual([text('Paid '), cite(1), text('.')]);
    expect(splitCitations('[2]')).toEqual([cite(2)]);
    expect(splitCitations('both [1, 3] say')).toEqual([
      text('both '),
      cite(1),
      cite(3),
      text(' say'),
    ]);
    expect(splitCitations('[1][2]')).toEqual([cite(1), cite(2)]);
    expect(splitCitations('[1-2] and [4–6]')).toEqual([
      cite(1),
      cite(2),
      text(' and '),
      cite(4),
      cite(5),
      cite(6),
    ]);
  });

  test('clearly numeric brackets are citations, even to passages that do not exist', () => {
    expect(splitCitations('[ 1 ]')).toEqual([cite(1)]);
    expect(splitCitations('[0]')).toEqual([cite(0)]);
  });

  test('anything else in brackets stays text', () => {
    for (const t of [
      '[a]',
      '[12x]',
      '[1.5]',
      '[]',
      '[1,]',
      '[3-1]',
      '[2024]',
      '[1',
      'x 1]',
      '[^1]',
    ]) {
      expect(splitCitations(t), t).toEqual([text(t)]);
    }
    expect(splitCitations('')).toEqual([]);
  });
});

describe('safeHref', () => {
  test('keeps absolute http(s) and mailto addresses', () => {
    expect(safeHref('https://example.org/a?b=1')).toBe('https://example.org/a?b=1');
    expect(safeHref('http://example.org')).toBe('http://example.org/');
    expect(safeHref('mailto:hr@example.org')).toBe('mailto:hr@example.org');
  });

  test('drops scripts, data, files and addresses it cannot resolve', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:x',
      'file:///etc/passwd',
      '/relative/path',
      'policy.md',
      '',
    ]) {
      expect(safeHref(href), href).toBeNull();
    }
  });
});

describe('parseMarkdown', () => {
  test('a bare [1] is a citation, not a link, and a definition line is text', () => {
    expect(inlines('Leave is paid [1].')).toEqual([text('Leave is paid '), cite(1), text('.')]);
    expect(parseMarkdown('See [1].\n\n[1]: https://example.org')).toEqual([
      { type: 'paragraph', children: [text('See '), cite(1), text('.')] },
      {
        type: 'paragraph',
        children: [cite(1), text(': '), expect.objectContaining({ type: 'link' })],
      },
    ]);
  });

  test('raw HTML, block or inline, is shown as its source', () => {
    expect(parseMarkdown('<script>alert(1)</script>')).toEqual([
      { type: 'paragraph', children: [text('<script>alert(1)</script>')] },
    ]);
    expect(inlines('a <img src=x onerror=alert(1)> b')).toEqual([
      text('a <img src=x onerror=alert(1)> b'),
    ]);
    expect(inlines('<b>bold</b> [2]')).toEqual([text('<b>bold</b> '), cite(2)]);
  });

  test('images are never loaded: they become their alt text', () => {
    expect(inlines('![a chart](https://example.org/c.png)')).toEqual([text('[image: a chart]')]);
  });

  test('links keep safe addresses only, and their text either way', () => {
    expect(inlines('[site](https://example.org) [bad](javascript:alert(1))')).toEqual([
      { type: 'link', href: 'https://example.org/', children: [text('site')] },
      text(' '),
      { type: 'link', href: null, children: [text('bad')] },
    ]);
    expect(inlines('www.example.org')).toEqual([
      { type: 'link', href: 'http://www.example.org/', children: [text('www.example.org')] },
    ]);
    // No citation buttons inside a link.
    expect(inlines('[see [1]](https://example.org)')).toEqual([
      { type: 'link', href: 'https://example.org/', children: [text('see [1]')] },
    ]);
  });

  test('emphasis, code, strikethrough and line breaks', () => {
    expect(inlines('**a** *b* ~~c~~ `d <e>` f  \ng')).toEqual([
      { type: 'strong', children: [text('a')] },
      text(' '),
      { type: 'em', children: [text('b')] },
      text(' '),
      { type: 'del', children: [text('c')] },
      text(' '),
      { type: 'codespan', text: 'd <e>' },
      text(' f'),
      { type: 'br' },
      text('g'),
    ]);
  });

  test('character references are decoded in text and left alone in code', () => {
    expect(inlines('AT&amp;T &lt;b&gt; &#65;&#x42; &copy; `&amp;`')).toEqual([
      text('AT&T <b> AB &copy; '),
      { type: 'codespan', text: '&amp;' },
    ]);
  });

  test('headings, code blocks, quotes, rules and tables', () => {
    expect(
      parseMarkdown(
        '## Leave [1]\n\n```python extra\nx = 1\n\n\ny = 2\n```\n\n> quoted\n\n---\n\n| a | b |\n|:--|--:|\n| 1 | 2 |',
      ),
    ).toEqual([
      { type: 'heading', depth: 2, children: [text('Leave '), cite(1)] },
      { type: 'code', lang: 'python', text: 'x = 1\n\n\ny = 2' },
      { type: 'blockquote', children: [{ type: 'paragraph', children: [text('quoted')] }] },
      { type: 'hr' },
      {
        type: 'table',
        align: ['left', 'right'],
        header: [[text('a')], [text('b')]],
        rows: [[[text('1')], [text('2')]]],
      },
    ]);
  });

  test('lists: ordered with a start, nested, and task items shown as written', () => {
    expect(parseMarkdown('3. one\n4. two\n   - a\n   - b')).toEqual([
      {
        type: 'list',
        ordered: true,
        start: 3,
        items: [
          [{ type: 'paragraph', children: [text('one')] }],
          [
            { type: 'paragraph', children: [text('two')] },
            {
              type: 'list',
              ordered: false,
              start: 1,
              items: [
                [{ type: 'paragraph', children: [text('a')] }],
                [{ type: 'paragraph', children: [text('b')] }],
              ],
            },
          ],
        ],
      },
    ]);
    expect(parseMarkdown('- [ ] open\n- [x] done')).toEqual([
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [
          [{ type: 'paragraph', children: [text('[ ] open')] }],
          [{ type: 'paragraph', children: [text('[x] done')] }],
        ],
      },
    ]);
  });

  test('text that marked fails on is shown as plain text, not lost to an exception', () => {
    // marked 18.2.1 throws a TypeError on this.
    expect(parseMarkdown('Intro.\n\n- _\n  >2)\n5\n\n**After.**')).toEqual([
      { type: 'paragraph', children: [text('Intro.')] },
      { type: 'paragraph', children: [text('- _\n  >2)\n5')] },
      { type: 'paragraph', children: [{ type: 'strong', children: [text('After.')] }] },
    ]);
  });

  test('Windows line breaks read as plain ones', () => {
    expect(parseMarkdown('a\r\nb\r\n\r\nc')).toEqual(parseMarkdown('a\nb\n\nc'));
  });
});
