import { describe, expect, test } from 'vitest';
import { lex, safeHref, splitCitations, toBlockNodes, type BlockNode } from './markdown-ast';

const parse = (text: string): BlockNode[] => toBlockNodes(lex(text));

describe('splitCitations', () => {
  test('turns bracketed passage numbers into citations', () => {
    expect(splitCitations('It is 30 weeks [1], paid [2, 3] and [4-5][6].')).toEqual([
      { type: 'text', text: 'It is 30 weeks ' },
      { type: 'citation', n: 1 },
      { type: 'text', text: ', paid ' },
      { type: 'citation', n: 2 },
      { type: 'citation', n: 3 },
      { type: 'text', text: ' and ' },
      { type: 'citation', n: 4 },
      { type: 'citation', n: 5 },
      { type: 'citation', n: 6 },
      { type: 'text', text: '.' },
    ]);
  });

  test.each(['[a]', '[12x]', '[]', '[1.5]', '[3-1]', '[1', 'arr[1000]'])(
    'leaves malformed %j as text',
    (text) => {
      expect(splitCitations(text)).toEqual([{ type: 'text', text }]);
    },
  );

  test('keeps [0] and [ 1 ] as citations, for the pane to flag or show', () => {
    expect(splitCitations('[0] [ 1 ]').filter((n) => n.type === 'citation')).toEqual([
      { type: 'citation', n: 0 },
      { type: 'citation', n: 1 },
    ]);
  });
});

describe('the safe tree', () => {
  test('a plain [1] is a citation, not a link, even with a definition below', () => {
    const [first, second] = parse('See [1].\n\n[1]: https://example.org');
    expect(first).toEqual({
      type: 'paragraph',
      children: [
        { type: 'text', text: 'See ' },
        { type: 'citation', n: 1 },
        { type: 'text', text: '.' },
      ],
    });
    expect(JSON.stringify(second)).toContain('"citation"');
  });

  test('raw HTML, inline and block, becomes visible text', () => {
    const nodes = parse('<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> there');
    const json = JSON.stringify(nodes);
    expect(json).toContain('<script>alert(1)</script>');
    expect(json).toContain('<img src=x onerror=alert(1)>');
    expect(json).not.toMatch(/"type":"(html|image|tag)"/);
  });

  test('links keep only http(s) and mailto addresses; images are never loaded', () => {
    const json = JSON.stringify(
      parse(
        '[a](https://example.org/x) [b](javascript:alert(1)) [c](data:text/html,x) ![logo](https://t.co/p.png)',
      ),
    );
    expect(json).toContain('"href":"https://example.org/x"');
    expect(json).not.toContain('javascript:');
    expect(json).not.toContain('data:text');
    expect(json).toContain('[image: logo]');
    expect(json).not.toContain('p.png');
  });

  test('citations inside code stay code', () => {
    expect(parse('Use `arr[1]`.')).toEqual([
      {
        type: 'paragraph',
        children: [
          { type: 'text', text: 'Use ' },
          { type: 'codespan', text: 'arr[1]' },
          { type: 'text', text: '.' },
        ],
      },
    ]);
  });

  test('lists, headings, code and tables', () => {
    const nodes = parse(
      '## Steps\n\n3. one\n4. two\n\n```ts\nlet a = 1;\n```\n\n| a |\n|---|\n| b |',
    );
    expect(nodes.map((n) => n.type)).toEqual(['heading', 'list', 'code', 'table']);
    expect(nodes[1]).toMatchObject({ ordered: true, start: 3 });
    expect(nodes[2]).toEqual({ type: 'code', lang: 'ts', text: 'let a = 1;' });
  });

  test('character references are decoded into text, which stays text', () => {
    expect(parse('a &amp; b &lt;i&gt;')).toEqual([
      { type: 'paragraph', children: [{ type: 'text', text: 'a & b <i>' }] },
    ]);
  });

  test('safeHref', () => {
    expect(safeHref('mailto:hr@example.org')).toBe('mailto:hr@example.org');
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
  });
});
