import { describe, expect, test } from 'vitest';
import {
  passageMarkdown,
  type PassageBlock,
  type PassageInline,
  type Span,
} from './passage-markdown';

/** The ranges of `words` in `text`, as the keyword highlighter gives them. */
function rangesOf(text: string, ...words: string[]): [number, number][] {
  return words.map((word) => {
    const start = text.indexOf(word);
    if (start === -1) throw new Error(`“${word}” is not in the text`);
    return [start, start + word.length];
  });
}

function spansOf(nodes: readonly (PassageBlock | PassageInline)[]): Span[] {
  return nodes.flatMap((node): Span[] => {
    switch (node.type) {
      case 'text':
      case 'codespan':
      case 'code':
        return node.spans;
      case 'paragraph':
      case 'heading':
      case 'strong':
      case 'em':
      case 'del':
      case 'link':
      case 'blockquote':
        return spansOf(node.children);
      case 'list':
        return node.items.flatMap((item) => spansOf(item));
      case 'table':
        return [...node.header, ...node.rows.flat()].flatMap((cell) => spansOf(cell));
      default:
        return [];
    }
  });
}

const drawn = (blocks: PassageBlock[]) =>
  spansOf(blocks)
    .map((s) => s.text)
    .join('');
const matched = (blocks: PassageBlock[]) =>
  spansOf(blocks)
    .filter((s) => s.match)
    .map((s) => s.text);
const evidence = (blocks: PassageBlock[]) =>
  spansOf(blocks)
    .filter((s) => s.evidence)
    .map((s) => s.text)
    .join('');

describe('passageMarkdown', () => {
  test('draws headings and emphasis without their markup, keywords still highlighted', () => {
    const text = '### 4.4 Parental leave\n\nEvery parent gets **30 weeks of parental leave**.';
    const blocks = passageMarkdown(text, {
      matches: rangesOf(text, 'Parental', 'parental'),
      evidence: null,
    });
    expect(blocks.map((b) => b.type)).toEqual(['heading', 'paragraph']);
    expect(drawn(blocks)).not.toMatch(/[#*]/);
    expect(matched(blocks)).toEqual(['Parental', 'parental']);
    const paragraph = blocks[1] as Extract<PassageBlock, { type: 'paragraph' }>;
    const strong = paragraph.children.find((c) => c.type === 'strong')!;
    expect(spansOf([strong])).toEqual([
      { text: '30 weeks of ', match: false, evidence: false },
      { text: 'parental', match: true, evidence: false },
      { text: ' leave', match: false, evidence: false },
    ]);
  });

  test('evidence that spans markup highlights exactly the text drawn from it', () => {
    const text = 'Intro.\n\nThe **first block** must be at least _2 weeks_ long. After.';
    const start = text.indexOf('The');
    const end = text.indexOf(' After');
    const blocks = passageMarkdown(text, { matches: [], evidence: { start, end } });
    expect(evidence(blocks)).toBe('The first block must be at least 2 weeks long.');
    expect(drawn(blocks)).toBe('Intro.The first block must be at least 2 weeks long. After.');
  });

  test('lists, tables and code keep their text in reading order', () => {
    const text =
      '- alpha\n- beta\n\n| Code | Meaning |\n|---|---|\n| G-40 | too cold |\n\n```\nhold M\n```';
    const blocks = passageMarkdown(text, {
      matches: rangesOf(text, 'beta', 'cold', 'hold'),
      evidence: null,
    });
    expect(blocks.map((b) => b.type)).toEqual(['list', 'table', 'code']);
    expect(matched(blocks)).toEqual(['beta', 'cold', 'hold']);
  });

  test('a document’s bracketed numbers stay its text, not citations', () => {
    const text = 'See note [2] and notes [1, 3] here.';
    const blocks = passageMarkdown(text, { matches: rangesOf(text, 'notes'), evidence: null });
    expect(drawn(blocks)).toBe(text);
    expect(matched(blocks)).toEqual(['notes']);
    expect(spansOf(blocks).some((s) => s.text === '[1, 3]')).toBe(true);
  });

  test('text the reader changed is placed character by character', () => {
    const text = 'Tom &amp; Jerry \\*really\\* liked it';
    const blocks = passageMarkdown(text, {
      matches: rangesOf(text, 'Jerry', 'liked'),
      evidence: null,
    });
    expect(drawn(blocks)).toBe('Tom & Jerry *really* liked it');
    expect(matched(blocks)).toEqual(['Jerry', 'liked']);
  });

  test('Windows line breaks: highlights keep their offsets', () => {
    const text = '# Title\r\n\r\nThe **press** is cleaned\r\non Thursday.';
    const blocks = passageMarkdown(text, {
      matches: rangesOf(text, 'press', 'Thursday'),
      evidence: null,
    });
    expect(matched(blocks)).toEqual(['press', 'Thursday']);
  });

  test('markup in a document is drawn as text, never as markup that runs', () => {
    const text = '<img src=x onerror="alert(1)"> and <script>alert(2)</script>';
    const blocks = passageMarkdown(text, { matches: [], evidence: null });
    expect(drawn(blocks)).toContain('<img src=x onerror="alert(1)">');
    expect(blocks.every((b) => b.type === 'paragraph')).toBe(true);
  });
});
