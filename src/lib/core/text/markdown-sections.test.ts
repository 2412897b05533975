import { describe, expect, test } from 'vitest';
import { markdownBlocks, plainBlocks, type Block } from './markdown-sections';

/** Each block as [kind, its source text, its heading path joined with ' > '], for compact checks. */
function summarize(source: string, blocks: Block[]): [string, string, string][] {
  return blocks.map((b) => [b.kind, source.slice(b.start, b.end), b.headingPath.join(' > ')]);
}

/** Offsets of non-whitespace characters that no block covers. */
function uncovered(source: string, blocks: Block[]): number[] {
  const covered = new Uint8Array(source.length);
  for (const b of blocks) covered.fill(1, b.start, b.end);
  const missing: number[] = [];
  for (let i = 0; i < source.length; i++) {
    if (!covered[i] && /\S/.test(source[i] ?? '')) missing.push(i);
  }
  return missing;
}

const HANDBOOK = `# Employee Handbook

Welcome to the company.

## Leave

Everyone gets 25 days.

### Parental leave

Sixteen weeks, paid in full.

## Expenses

Keep your receipts.
`;

describe('markdownBlocks', () => {
  test('ATX headings nest into heading paths, and a heading path ends with the heading', () => {
    expect(summarize(HANDBOOK, markdownBlocks(HANDBOOK))).toEqual([
      ['heading', '# Employee Handbook', 'Employee Handbook'],
      ['paragraph', 'Welcome to the company.', 'Employee Handbook'],
      ['heading', '## Leave', 'Employee Handbook > Leave'],
      ['paragraph', 'Everyone gets 25 days.', 'Employee Handbook > Leave'],
      ['heading', '### Parental leave', 'Employee Handbook > Leave > Parental leave'],
      ['paragraph', 'Sixteen weeks, paid in full.', 'Employee Handbook > Leave > Parental leave'],
      ['heading', '## Expenses', 'Employee Handbook > Expenses'],
      ['paragraph', 'Keep your receipts.', 'Employee Handbook > Expenses'],
    ]);
  });

  test('heading levels and text: closing hashes, inline markup and skipped levels', () => {
    const source =
      '# Title #\n\n### Deep ###\n\n## `code` and **bold** [link](http://x)\n\n#5 is not a heading';
    const blocks = markdownBlocks(source);
    expect(blocks.map((b) => b.level)).toEqual([1, 3, 2, undefined]);
    expect(blocks.map((b) => b.headingPath)).toEqual([
      ['Title'],
      ['Title', 'Deep'],
      ['Title', 'code and bold link'],
      ['Title', 'code and bold link'],
    ]);
  });

  test('a # line inside fenced code is code, not a heading', () => {
    const source = [
      '# Setup',
      '',
      '```bash',
      '# install the tools',
      'npm install',
      '```',
      '',
      '~~~~',
      '## still code',
      '~~~',
      '```',
      '~~~~',
      '',
      'After the fences.',
    ].join('\n');
    expect(summarize(source, markdownBlocks(source))).toEqual([
      ['heading', '# Setup', 'Setup'],
      ['code', '```bash\n# install the tools\nnpm install\n```', 'Setup'],
      ['code', '~~~~\n## still code\n~~~\n```\n~~~~', 'Setup'],
      ['paragraph', 'After the fences.', 'Setup'],
    ]);
  });

  test('an unclosed fence runs to the end of the document', () => {
    const source = '# A\n\n```\n# not a heading\n\ntext\n\n';
    expect(summarize(source, markdownBlocks(source))).toEqual([
      ['heading', '# A', 'A'],
      ['code', '```\n# not a heading\n\ntext', 'A'],
    ]);
  });

  test('indented code keeps its # lines', () => {
    const source = 'Intro.\n\n    # comment\n    x = 1\n\nAfter.';
    expect(summarize(source, markdownBlocks(source))).toEqual([
      ['paragraph', 'Intro.', ''],
      ['code', '# comment\n    x = 1', ''],
      ['paragraph', 'After.', ''],
    ]);
  });

  test('setext headings: = is level 1, - is level 2, and the underline belongs to the heading', () => {
    const source = 'Handbook\n========\n\nIntro.\n\nLeave\nand holidays\n---\n\nDays off.';
    const blocks = markdownBlocks(source);
    expect(summarize(source, blocks)).toEqual([
      ['heading', 'Handbook\n========', 'Handbook'],
      ['paragraph', 'Intro.', 'Handbook'],
      ['heading', 'Leave\nand holidays\n---', 'Handbook > Leave and holidays'],
      ['paragraph', 'Days off.', 'Handbook > Leave and holidays'],
    ]);
    expect(blocks[2]?.level).toBe(2);
  });

  test('--- after a blank line is a thematic break, not a heading', () => {
    const source = 'One.\n\n---\n\nTwo.\n\n* * *';
    expect(summarize(source, markdownBlocks(source))).toEqual([
      ['paragraph', 'One.', ''],
      ['rule', '---', ''],
      ['paragraph', 'Two.', ''],
      ['rule', '* * *', ''],
    ]);
  });

  test('front matter at the top is its own block and is not a heading or rule', () => {
    const source = '---\ntitle: Handbook\ntags: [hr]\n---\n# Handbook\n\nText.';
    expect(summarize(source, markdownBlocks(source))).toEqual([
      ['frontmatter', '---\ntitle: Handbook\ntags: [hr]\n---', ''],
      ['heading', '# Handbook', 'Handbook'],
      ['paragraph', 'Text.', 'Handbook'],
    ]);
  });

  test('list items are blocks of their own, with their continuation lines', () => {
    const source =
      '- one\n- two\n  continues\n\n  second paragraph of two\n1. first\n2) second\n   - nested';
    expect(summarize(source, markdownBlocks(source))).toEqual([
      ['list', '- one', ''],
      ['list', '- two\n  continues\n\n  second paragraph of two', ''],
      ['list', '1. first', ''],
      ['list', '2) second', ''],
      ['list', '- nested', ''],
    ]);
  });

  test('tables, block quotes and HTML comments are single blocks', () => {
    const source = [
      '| Plan | Days |',
      '|:-----|-----:|',
      '| A    | 25   |',
      '',
      '> Quoted',
      '# A heading ends the quote',
      '',
      '<!--',
      '# hidden',
      '-->',
    ].join('\n');
    expect(summarize(source, markdownBlocks(source)).map(([kind]) => kind)).toEqual([
      'table',
      'quote',
      'heading',
      'html',
    ]);
  });

  test('CRLF line endings give the same structure and offsets that exclude the CR', () => {
    const lf = markdownBlocks(HANDBOOK);
    const crlfSource = HANDBOOK.replace(/\n/g, '\r\n');
    const crlf = markdownBlocks(crlfSource);
    expect(crlf.map((b) => [b.kind, crlfSource.slice(b.start, b.end), b.headingPath])).toEqual(
      lf.map((b) => [b.kind, HANDBOOK.slice(b.start, b.end), b.headingPath]),
    );
    const setext = 'Title\r\n=====\r\n\r\nBody\r\n';
    expect(summarize(setext, markdownBlocks(setext))).toEqual([
      ['heading', 'Title\r\n=====', 'Title'],
      ['paragraph', 'Body', 'Title'],
    ]);
  });

  test('blocks are trimmed, ordered and cover every non-whitespace character', () => {
    const source = `  # Spaced heading  \n\n\t\tparagraph with tabs\t\n\n\`\`\`\n  code  \n\`\`\`\n- a\n> b\n\n|x|\n|-|\n`;
    const blocks = markdownBlocks(source);
    for (const b of blocks) {
      expect(source.slice(b.start, b.end)).toBe(source.slice(b.start, b.end).trim());
    }
    expect(blocks.every((b, i) => i === 0 || b.start >= (blocks[i - 1]?.end ?? 0))).toBe(true);
    expect(uncovered(source, blocks)).toEqual([]);
  });

  test('a huge setext heading is capped in the heading path', () => {
    const source = `${'word '.repeat(10_000)}\n===\n\nText.`;
    const path = markdownBlocks(source)[1]?.headingPath ?? [];
    expect(path).toHaveLength(1);
    expect(path[0]?.length).toBeLessThanOrEqual(201);
  });

  test('empty and whitespace-only input has no blocks', () => {
    expect(markdownBlocks('')).toEqual([]);
    expect(markdownBlocks(' \n\t\r\n  ')).toEqual([]);
  });
});

describe('plainBlocks', () => {
  test('paragraphs are split on blank lines, including whitespace-only and CRLF ones', () => {
    const source = '  First line\nsecond line.  \r\n \t \r\nNext paragraph.\n\n\n# not a heading';
    expect(summarize(source, plainBlocks(source))).toEqual([
      ['paragraph', 'First line\nsecond line.', ''],
      ['paragraph', 'Next paragraph.', ''],
      ['paragraph', '# not a heading', ''],
    ]);
  });

  test('empty and whitespace-only input has no blocks', () => {
    expect(plainBlocks('')).toEqual([]);
    expect(plainBlocks('\n \n\t')).toEqual([]);
  });
});
