import { describe, expect, test } from 'vitest';
import { parseMarkdown, type Block, type BlockNode } from './markdown-ast';
import { MarkdownStream } from './markdown-stream';

function withoutIds(blocks: readonly Block[]): BlockNode[] {
  return blocks.map(({ id: _id, ...node }) => node as BlockNode);
}

/** Streams `text` in pieces of the given sizes (cycling), checking the blocks after every piece. */
function streamAndCheck(text: string, sizes: readonly number[] = [1]): MarkdownStream {
  const stream = new MarkdownStream();
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length]!;
    stream.append(text.slice(at, at + size));
    at += size;
    expect(withoutIds(stream.blocks), JSON.stringify(text.slice(0, at))).toEqual(
      parseMarkdown(text.slice(0, at)),
    );
  }
  return stream;
}

/** A small seeded generator, so a failure names an input that can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES: Record<string, string> = {
  paragraphs:
    'Parental leave is **sixteen weeks** [1]. It is paid at *full* salary [2, 3].\n\n' +
    'A second paragraph with `inline code`, a [link](https://example.com/a?b=1) and www.example.org.\n' +
    'It goes on over a soft break, with trailing spaces  \nand a hard one.\n',
  headings:
    '# Title\nText right under it.\n\n## Second\n\nSetext heading\n===\n\nAnother\n---\nAfter.',
  lists:
    'Steps:\n1. First, read the policy [1].\n2. Then *ask* your manager.\n   - nested a\n   - nested b\n\n' +
    '   continued after a blank line\n3. Last.\n\n- bullet\n- [ ] task\n- [x] done\n\n' +
    '1. a\n\n2\n\nafter',
  code:
    'Here is code:\n```ts\nconst a = 1;\n\n\nfunction f() {\n  return `x`;\n}\n```\nAnd text.\n\n' +
    '~~~\nunclosed tilde fence\n``` not a close\n~~~~\n\n    indented code\n\n    more\nend',
  html:
    '<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> and <b>bold</b>.\n\n' +
    '<div>\nblock html\n</div>\n\n<!-- a\n\ncomment -->\nafter',
  quotesAndTables:
    '> quoted [1]\ncontinued\n\n> second\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n| x |\n\nafter\n' +
    'Name\n--:\n',
  emphasis:
    '*a **b** c* _d_ __e__ ~~f~~ ~g~ 5 * 3 = 15, snake_case and x_y_z, **unclosed\n\n' +
    '***both*** *a **b* c** `` a`b `` \\*escaped\\* &amp; &lt;tag&gt; &#65; [a] [1][2] [1-3] [0]',
  crlf: 'one\r\ntwo\r\n\r\n- a\r\n- b\r\n',
  // These once streamed differently from the whole text.
  emptyItemThenUnderline: 'intro [link](https://x.y) \n1. \n- (see) `x`',
  backtickInUrl: 'see http://x.y`a @`b more text` end',
  emphasisRepaired: '_a **x_ b** c and _d **e_ f',
};

/** Deltas that once streamed differently from the whole text (found by the random tests). */
const REGRESSIONS: string[][] = [
  ['. \n2. 5 * 3 ~5 \n   -', ' ['],
  ['wordb)<\n*\t`\n<word[=word~:|- &amp;     word <b>#)# a', '2) \n---'],
  ['- leave *', '\n\nleave  ', ' \nsay'],
  ['a )[`word\n|<\n--', '-<b'],
  ['x\n\nitem   \n2. b---\n--', '-b1. '],
  ['!\n\n:1. http://x.y # - # 5[1]<b>\n    2) \n- |', '[1]| '],
  [
    '\n> *em* \n- _that 5 * 3 *em* says _u_ \n```\n\n\n*\n   - _u_ <br> _(see) . `code` \n- \n\n' +
      '| a | b |\n|---|---|\n| 1 | 2 |\n1. `code` . \n   - \n    \n```\n~5 \n    ~5 [1]\n2. ' +
      '[link](https://x.y) The **bold** leave *em* `code` **5 * 3 leave <br> snake_case ~5 \n' +
      '    **bold** <br> `code` , The ~5 [1]*`*em* . \n   - ',
    '~~\n',
  ],
];

/** Pieces that random texts are made of: markdown's special characters, and answer-like text. */
const SYMBOLS = [
  ...['a', 'b', 'word', ' ', ' ', ' ', '\n', '\n', '\n\n', '*', '**', '_', '~', '`', '[', ']'],
  ...['(', ')', '[1]', '#', '# ', '- ', '1. ', '2) ', '> ', '|', '---', '```', '<', '<b>', '\\'],
  ...['  ', '   ', '\t', '=', ':', '!', '&amp;', 'http://x.y', 'www.a.b', '@', '5'],
];
const ANSWER_PIECES = [
  ...['The ', 'policy ', 'says ', 'leave ', 'is ', 'paid ', '[1]', '[2, 3]', ', ', '. ', '\n'],
  ...['**bold** ', '*em* ', '`code` ', 'snake_case ', '5 * 3 ', '~5 ', '_u_ ', '"q" ', '(see) '],
  ...['\n\n', '\n- ', '\n1. ', '\n2. ', '\n   - ', '\n## ', '\n```\n', '\n> ', '  \n', '\n    '],
  ...['[link](https://x.y) ', '<br> ', '**', '*', '`', '_', '~~', '\n---\n'],
  '\n\n| a | b |\n|---|---|\n| 1 | 2 |',
];

describe('MarkdownStream', () => {
  test.each(Object.entries(SAMPLES))(
    'streamed one character at a time, %s reads as the whole text does',
    (_name, text) => {
      const stream = streamAndCheck(text);
      expect(withoutIds(stream.blocks)).toEqual(parseMarkdown(text));
    },
  );

  test.each(Object.entries(SAMPLES))('streamed in uneven pieces, %s also', (_name, text) => {
    streamAndCheck(text, [3, 1, 7, 2, 13, 5]);
  });

  test.each(REGRESSIONS.map((deltas) => [JSON.stringify(deltas), deltas]))(
    'regression: %s',
    (_name, deltas) => {
      const stream = new MarkdownStream();
      let text = '';
      for (const delta of deltas) {
        stream.append(delta);
        text += delta;
        expect(withoutIds(stream.blocks)).toEqual(parseMarkdown(text));
      }
    },
  );

  test.each([
    ['symbols', SYMBOLS],
    ['answer-like text', ANSWER_PIECES],
  ])('random %s streams as it parses', (_name, alphabet) => {
    for (let seed = 1; seed <= 120; seed++) {
      const next = random(seed);
      let text = '';
      while (text.length < 120) text += alphabet[Math.floor(next() * alphabet.length)];
      const sizes = Array.from({ length: 5 }, () => 1 + Math.floor(next() * 6));
      streamAndCheck(text, sizes);
    }
  });

  test('stable blocks keep their objects and ids while the answer grows', () => {
    const stream = new MarkdownStream();
    stream.append('# Leave\n\nFirst paragraph [1].\n\n');
    stream.append('Second paragraph');
    const [heading, first] = stream.blocks;
    stream.append(' goes on.\n\n- a list\n- that grows');
    stream.append(' longer\n\nThe end.');
    const blocks = stream.blocks;
    expect(blocks[0]).toBe(heading);
    expect(blocks[1]).toBe(first);
    expect(blocks.map((block) => block.id)).toEqual([0, 1, 2, 3, 4]);
    expect(blocks.map((block) => block.type)).toEqual([
      'heading',
      'paragraph',
      'paragraph',
      'list',
      'paragraph',
    ]);
  });

  test('a list is not closed by a line that may still become its next item', () => {
    const stream = new MarkdownStream();
    stream.append('1. one\n\n2');
    const list = stream.blocks[0];
    stream.append('. two');
    expect(stream.blocks).toHaveLength(1);
    expect(stream.blocks[0]).toMatchObject({ id: list!.id, type: 'list', start: 1 });
    expect(stream.blocks[0]).not.toBe(list);
  });

  test('the work stays linear in the length of the answer', () => {
    const paragraph = (i: number): string =>
      `Paragraph ${i} explains a part of the policy in some detail, as a model would, with ` +
      `**bold terms**, *emphasis*, \`code\` and a citation [${(i % 5) + 1}]. It keeps going for a ` +
      `while with ordinary words, snake_case names and numbers like 5 * 3 = 15 [1, 2]. ` +
      `The last sentence ends the paragraph here.`;
    const list = Array.from(
      { length: 12 },
      (_, i) => `${i + 1}. **Item ${i + 1}**: a list item with a few words of its own [${i + 1}].`,
    ).join('\n');
    const code = Array.from({ length: 30 }, (_, i) => `  const value${i} = compute(${i});`);
    const text = [
      ...Array.from({ length: 12 }, (_, i) => paragraph(i)),
      `Here is the list:\n${list}`,
      '```ts\nfunction f() {\n' + code.join('\n') + '\n}\n```',
      ...Array.from({ length: 12 }, (_, i) => paragraph(i + 12)),
    ].join('\n\n');
    expect(text.length).toBeGreaterThan(8_000);

    const stream = new MarkdownStream();
    for (let at = 0; at < text.length; at += 3) stream.append(text.slice(at, at + 3));
    expect(withoutIds(stream.blocks)).toEqual(parseMarkdown(text));
    expect(stream.charsLexed).toBeLessThan(20 * text.length);
    console.log(`charsLexed / length = ${(stream.charsLexed / text.length).toFixed(2)}`);
  });

  test('reset starts a new answer', () => {
    const stream = new MarkdownStream();
    stream.append('Old answer.\n\nMore.');
    stream.reset();
    expect(stream.blocks).toEqual([]);
    expect(stream.charsLexed).toBe(0);
    stream.append('New');
    expect(stream.blocks).toEqual([
      { id: 0, type: 'paragraph', children: [{ type: 'text', text: 'New' }] },
    ]);
  });

  test('text that marked fails on does not stop the stream', () => {
    const stream = new MarkdownStream();
    for (const c of 'Intro.\n\n- _\n  >2)\n5 more\n\nAfter.') stream.append(c);
    expect(stream.blocks.at(-1)).toMatchObject({
      type: 'paragraph',
      children: [{ type: 'text', text: 'After.' }],
    });
  });

  test('a line break split between two deltas is one line break', () => {
    const stream = new MarkdownStream();
    stream.append('a\r');
    stream.append('\nb');
    expect(withoutIds(stream.blocks)).toEqual(parseMarkdown('a\nb'));
  });
});
