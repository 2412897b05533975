import { describe, expect, test } from 'vitest';
import {
  chunkDocument,
  DEFAULT_CHUNKING,
  validateChunkingOptions,
  type Chunk,
  type ChunkingOptions,
} from './chunking';
import { markdownBlocks } from './markdown-sections';
import { estimateTokens, type TokenCounter } from './token-estimate';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Offsets where a grapheme cluster starts or ends. Intl.Segmenter is slow on long strings in V8,
 * so this is only for sources of a few thousand characters.
 */
function graphemeBoundaries(source: string): Set<number> {
  const boundaries = new Set<number>([source.length]);
  for (const s of graphemes.segment(source)) boundaries.add(s.index);
  return boundaries;
}

interface CheckOptions {
  format?: 'markdown' | 'plain';
  countTokens?: TokenCounter;
  /** Check chunk edges against grapheme boundaries (small sources only). */
  graphemes?: boolean;
}

/**
 * Every invariant a chunking must hold, as a list of violations (empty when all hold), so a
 * failure names the chunk and the rule at once.
 */
function violations(
  source: string,
  chunks: Chunk[],
  options: ChunkingOptions,
  check: CheckOptions = {},
): string[] {
  const { format = 'markdown', countTokens = estimateTokens } = check;
  const problems: string[] = [];
  const boundaries = check.graphemes ? graphemeBoundaries(source) : null;
  const blocks = format === 'markdown' ? markdownBlocks(source) : [];
  const headingStarts = blocks.filter((b) => b.kind === 'heading').map((b) => b.start);
  // Only headings may come before a heading inside a chunk: they introduce its section.
  const onlyHeadingsBetween = (from: number, to: number): boolean =>
    blocks.filter((b) => b.start >= from && b.start < to).every((b) => b.kind === 'heading');
  const frontMatter = markdownBlocks(source).find((b) => b.kind === 'frontmatter');
  const coverage = new Int32Array(source.length + 1);
  chunks.forEach((c, i) => {
    const say = (rule: string): number =>
      problems.push(`chunk ${i} [${c.start}, ${c.end}): ${rule}`);
    if (c.ordinal !== i) say(`ordinal ${c.ordinal}`);
    if (source.slice(c.start, c.end) !== c.text) say('text is not source.slice(start, end)');
    if (c.text.length === 0 || c.text !== c.text.trim()) say('empty or not trimmed');
    if (c.tokens !== countTokens(c.text)) say(`tokens ${c.tokens} is not the counter's count`);
    if (c.tokens > options.targetTokens && [...graphemes.segment(c.text)].length !== 1) {
      say(`${c.tokens} tokens exceeds the target and is not one grapheme`);
    }
    const previous = chunks[i - 1];
    if (previous && c.start < previous.start) say('starts before the chunk before it');
    if (previous && c.end <= previous.end) say('ends no later than the chunk before it');
    for (const edge of [c.start, c.end]) {
      const code = source.charCodeAt(edge);
      if (code >= 0xdc00 && code <= 0xdfff && edge > 0 && edge < source.length) {
        say(`edge ${edge} splits a surrogate pair`);
      }
      // Trimming may cut whitespace out of a cluster: a space carrying a combining mark or an
      // emoji modifier, or a prepended mark followed by a space.
      const trimmedAway =
        (edge === c.start && /\s/.test(source[edge - 1] ?? '')) ||
        (edge === c.end && /\s/.test(source[edge] ?? ''));
      if (boundaries && !boundaries.has(edge) && !trimmedAway) {
        say(`edge ${edge} splits a grapheme cluster`);
      }
    }
    if (headingStarts.some((h) => h > c.start && h < c.end && !onlyHeadingsBetween(c.start, h))) {
      say('spans two heading sections');
    }
    coverage[c.start] = (coverage[c.start] ?? 0) + 1;
    coverage[c.end] = (coverage[c.end] ?? 0) - 1;
  });
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    depth += coverage[i] ?? 0;
    if (depth > 0 || /\s/.test(source[i] ?? '')) continue;
    if (frontMatter && i >= frontMatter.start && i < frontMatter.end) continue;
    problems.push(`character ${i} (${JSON.stringify(source[i])}) is in no chunk`);
    if (problems.length > 20) break;
  }
  return problems;
}

/** Text both chunks hold: the end of `a` that `b` repeats. */
function overlapText(a: Chunk, b: Chunk): string {
  return b.start < a.end ? a.text.slice(b.start - a.start) : '';
}

/** Deterministic PRNG (mulberry32), so a failing random case can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SENTENCES = [
  'Parental leave is sixteen weeks, paid in full.',
  'Employees who have worked here for a year may take an unpaid sabbatical of up to three months.',
  'Ask your manager first!',
  'Does this apply to contractors?',
  'Receipts must be kept for seven years (see the finance policy, section 4.2).',
];

/** `count` sentences of ordinary English prose. */
function prose(count: number, offset = 0): string {
  return Array.from({ length: count }, (_, i) => SENTENCES[(i + offset) % SENTENCES.length]).join(
    ' ',
  );
}

const HANDBOOK = `---
title: Employee Handbook
---
# Employee Handbook

${prose(3)}

## Leave

${prose(12)}

${prose(8, 2)}

### Parental leave

${prose(20, 1)}

\`\`\`sh
# request leave from the command line
leave request --weeks 16
\`\`\`

Requests
--------

${prose(6, 3)}

## Expenses

- ${prose(2)}
- ${prose(30, 4)}

| Item | Limit |
|------|-------|
| Meal | 30    |
`;

const SMALL: ChunkingOptions = { targetTokens: 60, overlapTokens: 20 };

describe('chunkDocument', () => {
  test('offsets round-trip on Markdown: every chunk is exactly source.slice(start, end)', () => {
    const chunks = chunkDocument(HANDBOOK, 'markdown', SMALL);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.every((c) => HANDBOOK.slice(c.start, c.end) === c.text)).toBe(true);
    expect(violations(HANDBOOK, chunks, SMALL, { graphemes: true })).toEqual([]);
  });

  test('offsets round-trip on plain text', () => {
    const source = `  ${prose(40)}\n\n\n${prose(7, 1)}\n   \n${prose(1)}  \n`;
    const chunks = chunkDocument(source, 'plain', SMALL);
    expect(chunks.every((c) => source.slice(c.start, c.end) === c.text)).toBe(true);
    expect(chunks.every((c) => c.headingPath.length === 0)).toBe(true);
    expect(violations(source, chunks, SMALL, { format: 'plain', graphemes: true })).toEqual([]);
  });

  test('default options suit MiniLM and chunk the handbook into whole sections', () => {
    expect(DEFAULT_CHUNKING).toEqual({ targetTokens: 200, overlapTokens: 40 });
    const chunks = chunkDocument(HANDBOOK, 'markdown', DEFAULT_CHUNKING);
    expect(violations(HANDBOOK, chunks, DEFAULT_CHUNKING)).toEqual([]);
    expect(chunks[0]?.text.startsWith('# Employee Handbook')).toBe(true);
  });

  test('heading paths follow nested headings, and a # inside fenced code is not one', () => {
    const chunks = chunkDocument(HANDBOOK, 'markdown', SMALL);
    const paths = [...new Set(chunks.map((c) => c.headingPath.join(' > ')))];
    expect(paths).toEqual([
      'Employee Handbook',
      'Employee Handbook > Leave',
      'Employee Handbook > Leave > Parental leave',
      'Employee Handbook > Requests', // a setext '---' heading is level 2
      'Employee Handbook > Expenses',
    ]);
    const code = chunks.find((c) => c.text.includes('# request leave'));
    expect(code?.headingPath).toEqual(['Employee Handbook', 'Leave', 'Parental leave']);
    expect(chunks.some((c) => c.text.startsWith('# request leave'))).toBe(false);
  });

  test('a heading starts a new chunk that holds the heading line', () => {
    const chunks = chunkDocument(HANDBOOK, 'markdown', SMALL);
    const headings = markdownBlocks(HANDBOOK).filter((b) => b.kind === 'heading');
    for (const heading of headings) {
      const first = chunks.find((c) => c.start === heading.start);
      expect(first?.text.startsWith(HANDBOOK.slice(heading.start, heading.end))).toBe(true);
    }
  });

  test('a heading with only subsections under it introduces the first one instead of standing alone', () => {
    const source = `# Handbook\n\n## 4. Leave\n\n### 4.1 Annual leave\n\n${prose(1)}\n\n### 4.2 Sick leave\n\n${prose(1, 1)}\n\n## 5. Empty\n\n## 6. Pay\n\n${prose(1, 2)}`;
    const chunks = chunkDocument(source, 'markdown', DEFAULT_CHUNKING);
    expect(violations(source, chunks, DEFAULT_CHUNKING)).toEqual([]);
    expect(chunks.map((c) => c.headingPath.join(' > '))).toEqual([
      'Handbook > 4. Leave > 4.1 Annual leave',
      'Handbook > 4. Leave > 4.2 Sick leave',
      'Handbook > 5. Empty', // a sibling follows: nothing to introduce
      'Handbook > 6. Pay',
    ]);
    expect(chunks[0]!.text.startsWith('# Handbook\n\n## 4. Leave\n\n### 4.1 Annual leave')).toBe(
      true,
    );
    expect(chunks[2]!.text).toBe('## 5. Empty');
  });

  test('setext headings start sections like ATX headings do', () => {
    const source = `Handbook\n========\n\n${prose(4)}\n\nLeave\n-----\n\n${prose(4, 1)}`;
    const chunks = chunkDocument(source, 'markdown', DEFAULT_CHUNKING);
    expect(chunks.map((c) => [c.text.slice(0, 8), c.headingPath])).toEqual([
      ['Handbook', ['Handbook']],
      ['Leave\n--', ['Handbook', 'Leave']],
    ]);
  });

  test('front matter is skipped', () => {
    const chunks = chunkDocument(HANDBOOK, 'markdown', SMALL);
    expect(chunks.some((c) => c.text.includes('title: Employee Handbook'))).toBe(false);
  });

  test('consecutive chunks in a section overlap by whole trailing sentences', () => {
    const source = prose(60);
    const options = { targetTokens: 80, overlapTokens: 30 };
    const chunks = chunkDocument(source, 'plain', options);
    expect(chunks.length).toBeGreaterThan(5);
    for (let i = 1; i < chunks.length; i++) {
      const [a, b] = [chunks[i - 1] as Chunk, chunks[i] as Chunk];
      const shared = overlapText(a, b);
      expect(shared.length).toBeGreaterThan(0);
      expect(estimateTokens(shared)).toBeLessThanOrEqual(options.overlapTokens);
      // The repeat starts a sentence: what comes before it ends one.
      expect(source.slice(0, b.start).trimEnd()).toMatch(/[.!?)]$/);
    }
    expect(violations(source, chunks, options, { format: 'plain' })).toEqual([]);
  });

  test('overlap falls back to whole words when the last sentence is longer than the overlap', () => {
    const source = Array.from({ length: 400 }, (_, i) => `word${i % 10}`).join(' ');
    const options = { targetTokens: 50, overlapTokens: 10 };
    const chunks = chunkDocument(source, 'plain', options);
    expect(chunks.length).toBeGreaterThan(5);
    for (let i = 1; i < chunks.length; i++) {
      const [a, b] = [chunks[i - 1] as Chunk, chunks[i] as Chunk];
      const shared = overlapText(a, b);
      expect(estimateTokens(shared)).toBeGreaterThan(0);
      expect(estimateTokens(shared)).toBeLessThanOrEqual(10);
      expect(source[b.start - 1]).toBe(' '); // not broken mid-word
    }
    expect(violations(source, chunks, options, { format: 'plain' })).toEqual([]);
  });

  test('overlap never crosses a heading, nor repeats one', () => {
    const chunks = chunkDocument(HANDBOOK, 'markdown', SMALL);
    const headings = markdownBlocks(HANDBOOK).filter((b) => b.kind === 'heading');
    let overlaps = 0;
    for (let i = 1; i < chunks.length; i++) {
      const [a, b] = [chunks[i - 1] as Chunk, chunks[i] as Chunk];
      if (!overlapText(a, b)) continue;
      overlaps++;
      expect(headings.some((h) => h.end > b.start && h.start < a.end)).toBe(false);
    }
    expect(overlaps).toBeGreaterThan(5);
    for (const heading of headings) {
      const i = chunks.findIndex((c) => c.start === heading.start);
      expect(chunks[i - 1]?.end ?? 0).toBeLessThanOrEqual(heading.start);
    }
  });

  test('a heading alone in its chunk is not repeated as overlap', () => {
    // The list item fits the target on its own but not together with the heading.
    const source = `## Parental leave policy\n\n- ${prose(2)}`; // 6 and 34 tokens
    const options = { targetTokens: 38, overlapTokens: 10 };
    const chunks = chunkDocument(source, 'markdown', options);
    expect(chunks.map((c) => c.text)).toEqual([
      '## Parental leave policy',
      source.slice(source.indexOf('- ')),
    ]);
  });

  test('overlap 0 gives chunks that do not overlap', () => {
    const options = { targetTokens: 60, overlapTokens: 0 };
    const chunks = chunkDocument(HANDBOOK, 'markdown', options);
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i]?.start).toBeGreaterThanOrEqual(chunks[i - 1]?.end ?? 0);
    }
    expect(violations(HANDBOOK, chunks, options)).toEqual([]);
  });

  test('overlap makes progress when every word is longer than the overlap', () => {
    const long = 'Antidisestablishmentarianism'; // 28 letters: 7 tokens by the estimate
    const source = Array.from({ length: 200 }, () => long).join(' ');
    const options = { targetTokens: 16, overlapTokens: 5 };
    const chunks = chunkDocument(source, 'plain', options);
    expect(chunks).toHaveLength(100);
    expect(chunks.every((c) => c.text === `${long} ${long}`)).toBe(true);
    expect(violations(source, chunks, options, { format: 'plain' })).toEqual([]);
  });

  test('chunks stay within the target, with the default counter and a custom one', () => {
    const wordCounter: TokenCounter = (text) => text.split(/\s+/).filter(Boolean).length;
    for (const targetTokens of [16, 50, 200, 512]) {
      const options = { targetTokens, overlapTokens: Math.floor(targetTokens / 4) };
      for (const countTokens of [estimateTokens, wordCounter]) {
        const chunks = chunkDocument(HANDBOOK, 'markdown', options, countTokens);
        expect(chunks.every((c) => c.tokens <= targetTokens)).toBe(true);
        expect(violations(HANDBOOK, chunks, options, { countTokens })).toEqual([]);
      }
    }
  });

  test('a custom counter decides the sizes and the reported token counts', () => {
    const charCounter: TokenCounter = (text) => text.length;
    const chunks = chunkDocument(prose(20), 'plain', SMALL, charCounter);
    expect(chunks.every((c) => c.tokens === c.text.length && c.tokens <= 60)).toBe(true);
  });

  test('tiny inputs: empty, whitespace, one word, one character, a lone heading', () => {
    expect(chunkDocument('', 'markdown', DEFAULT_CHUNKING)).toEqual([]);
    expect(chunkDocument('', 'plain', DEFAULT_CHUNKING)).toEqual([]);
    expect(chunkDocument(' \n\t\r\n\u00a0 ', 'markdown', DEFAULT_CHUNKING)).toEqual([]);
    expect(chunkDocument('\n\n\n', 'plain', DEFAULT_CHUNKING)).toEqual([]);
    expect(chunkDocument('  leave \n', 'plain', DEFAULT_CHUNKING)).toEqual([
      { ordinal: 0, start: 2, end: 7, text: 'leave', headingPath: [], tokens: 1 },
    ]);
    expect(chunkDocument('x', 'markdown', DEFAULT_CHUNKING)).toEqual([
      { ordinal: 0, start: 0, end: 1, text: 'x', headingPath: [], tokens: 1 },
    ]);
    expect(chunkDocument('## Leave\n', 'markdown', DEFAULT_CHUNKING)).toEqual([
      { ordinal: 0, start: 0, end: 8, text: '## Leave', headingPath: ['Leave'], tokens: 3 },
    ]);
    expect(chunkDocument('---\ntitle: x\n---\n', 'markdown', DEFAULT_CHUNKING)).toEqual([]);
  });

  test('CRLF line endings chunk like LF ones, with no CR at a chunk edge', () => {
    const crlf = HANDBOOK.replace(/\n/g, '\r\n');
    const lfChunks = chunkDocument(HANDBOOK, 'markdown', SMALL);
    const crlfChunks = chunkDocument(crlf, 'markdown', SMALL);
    expect(crlfChunks.map((c) => [c.text.replace(/\r\n/g, '\n'), c.headingPath])).toEqual(
      lfChunks.map((c) => [c.text, c.headingPath]),
    );
    expect(crlfChunks.some((c) => c.text.startsWith('\n') || c.text.endsWith('\r'))).toBe(false);
    expect(violations(crlf, crlfChunks, SMALL)).toEqual([]);
  });

  test('Chinese without spaces splits at sentence ends, overlapping by whole sentences', () => {
    const source =
      '员工手册规定了育儿假的长度和申请流程。所有员工都可以申请，但需要提前通知经理！'.repeat(20);
    const options = { targetTokens: 60, overlapTokens: 25 };
    const chunks = chunkDocument(source, 'plain', options);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.text).toMatch(/[。！]$/);
    for (let i = 1; i < chunks.length; i++) {
      const b = chunks[i] as Chunk;
      expect(b.start).toBeLessThan(chunks[i - 1]?.end ?? 0);
      expect(source.slice(0, b.start)).toMatch(/[。！]$/);
    }
    expect(violations(source, chunks, options, { format: 'plain', graphemes: true })).toEqual([]);
  });

  test('Japanese without spaces or punctuation still splits into sized chunks', () => {
    const source = 'これは日本語の文章ですスペースはありません'.repeat(40);
    const options = { targetTokens: 50, overlapTokens: 10 };
    const chunks = chunkDocument(source, 'plain', options);
    expect(chunks.length).toBeGreaterThan(15);
    // Packed close to the target (the last chunk takes what is left).
    expect(chunks.slice(0, -1).every((c) => c.tokens > 30 && c.tokens <= 50)).toBe(true);
    expect(violations(source, chunks, options, { format: 'plain', graphemes: true })).toEqual([]);
  });

  test('emoji ZWJ sequences, flags, skin tones and combining marks are never split', () => {
    const clusters = ['👨‍👩‍👧‍👦', '🇯🇵', '🏳️‍🌈', '👍🏽', '🧑🏿‍💻', 'é', 'ñ', '❤️', 'ก่', '각'];
    const random = prng(42);
    let source = '';
    for (let i = 0; i < 3000; i++) {
      source += clusters[Math.floor(random() * clusters.length)] ?? '';
      if (random() < 0.05) source += ' ';
      if (random() < 0.01) source += 'leave. ';
    }
    for (const options of [
      { targetTokens: 16, overlapTokens: 8 },
      { targetTokens: 100, overlapTokens: 30 },
    ]) {
      const chunks = chunkDocument(source, 'plain', options);
      expect(chunks.length).toBeGreaterThan(10);
      expect(violations(source, chunks, options, { format: 'plain', graphemes: true })).toEqual([]);
    }
  });

  test('sentence and word breaks that would cut a cluster are moved', () => {
    // ICU ends a sentence between '.' and an emoji modifier, and a word between a prepended
    // Arabic number sign and its number; both pairs are single grapheme clusters.
    const source = Array.from({ length: 60 }, (_, i) => `Done.🏽 Item \u0600${i}. `).join('');
    for (const overlapTokens of [0, 6]) {
      const options = { targetTokens: 16, overlapTokens };
      const chunks = chunkDocument(source, 'plain', options);
      expect(violations(source, chunks, options, { format: 'plain', graphemes: true })).toEqual([]);
    }
  });

  test('a single grapheme bigger than the target is the only chunk allowed over it', () => {
    const zalgo = `a${'\u0301'.repeat(40)}`; // one cluster that counts 41 tokens
    const source = `Before. ${zalgo} after.`;
    const options = { targetTokens: 16, overlapTokens: 4 };
    const chunks = chunkDocument(source, 'plain', options);
    expect(chunks.map((c) => c.text)).toContain(zalgo);
    expect(violations(source, chunks, options, { format: 'plain', graphemes: true })).toEqual([]);
  });

  test('long code blocks split between lines first', () => {
    const code = Array.from({ length: 80 }, (_, i) => `const value${i} = compute(${i});`);
    const source = `# Code\n\n\`\`\`ts\n${code.join('\n')}\n\`\`\``;
    const options = { targetTokens: 60, overlapTokens: 0 };
    const chunks = chunkDocument(source, 'markdown', options);
    for (const c of chunks.slice(1)) expect(source[c.start - 1]).toBe('\n');
    expect(violations(source, chunks, options)).toEqual([]);
  });

  test('code, CSV and JSON records split between lines before sentences', () => {
    const fields = Array.from({ length: 40 }, (_, i) => `field${i}: value number ${i}. More text.`);
    const source = `Row 2\n${fields.join('\n')}`;
    const options = { targetTokens: 40, overlapTokens: 0 };
    for (const format of ['code', 'csv', 'json'] as const) {
      const chunks = chunkDocument(source, format, options);
      expect(chunks.length).toBeGreaterThan(3);
      for (const c of chunks) expect(c.text).toMatch(/^(?:Row 2|field\d+)[^]*\.$/);
      expect(violations(source, chunks, options, { format: 'plain' })).toEqual([]);
    }
  });

  test('no chunk spans a section start (a PDF page), and overlap never crosses one', () => {
    const pages = ['First page text. It goes on.', 'Second page. Short.', '', 'Fourth page here.'];
    let source = '';
    const starts: number[] = [];
    for (const page of pages) {
      if (page !== '' && source !== '') source += '\n\n';
      starts.push(source.length);
      source += page;
    }
    const options = { targetTokens: 200, overlapTokens: 20 };
    const chunks = chunkDocument(source, 'pdf', options, estimateTokens, starts);
    expect(chunks.map((c) => c.text)).toEqual([
      'First page text. It goes on.',
      'Second page. Short.',
      'Fourth page here.',
    ]);
    expect(chunkDocument(source, 'pdf', options).map((c) => c.text)).toEqual([source]);
  });

  test('huge input: 5 MB of Markdown prose chunks in well under a few seconds', () => {
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 5_000_000; i++) {
      const part = i % 15 === 0 ? `## Section ${i}\n\n` : `${prose(3 + (i % 9), i)}\n\n`;
      parts.push(part);
      size += part.length;
    }
    const source = parts.join('');
    const started = performance.now();
    const chunks = chunkDocument(source, 'markdown', DEFAULT_CHUNKING);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(3000);
    expect(chunks.length).toBeGreaterThan(10_000);
    expect(violations(source, chunks, DEFAULT_CHUNKING)).toEqual([]);
  });

  test('huge input: a 1 MB single line with no spaces does not hang', () => {
    const random = prng(7);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';
    const base64ish = Array.from({ length: 1_000_000 }, () =>
      alphabet.charAt(Math.floor(random() * alphabet.length)),
    ).join('');
    for (const source of ['x'.repeat(1_000_000), base64ish]) {
      const started = performance.now();
      const chunks = chunkDocument(source, 'plain', DEFAULT_CHUNKING);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(chunks.length).toBeGreaterThan(1000);
      expect(violations(source, chunks, DEFAULT_CHUNKING, { format: 'plain' })).toEqual([]);
    }
  });

  test('huge input: a 5 MB single line of words (text saved without line breaks)', () => {
    const words = ['leave', 'policy,', 'employees', 'may', 'request', 'thirty', 'weeks', 'paid'];
    const source = Array.from({ length: 750_000 }, (_, i) => words[i % words.length]).join(' ');
    expect(source.length).toBeGreaterThan(5_000_000);
    const started = performance.now();
    const chunks = chunkDocument(source, 'plain', DEFAULT_CHUNKING);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(chunks.length).toBeGreaterThan(5000);
    expect(violations(source, chunks, DEFAULT_CHUNKING, { format: 'plain' })).toEqual([]);
  }, 60_000);

  test('huge input: 1 MB of Chinese with no spaces or punctuation does not hang', () => {
    const source = '员工手册规定了育儿假的长度和申请流程所有员工都可以申请'.repeat(37_000);
    const started = performance.now();
    const chunks = chunkDocument(source, 'plain', DEFAULT_CHUNKING);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(chunks.length).toBeGreaterThan(5000);
    expect(violations(source, chunks, DEFAULT_CHUNKING, { format: 'plain' })).toEqual([]);
  });

  test('huge input: 100k lines', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) =>
      i % 1000 === 0 ? `# Part ${i}` : i % 3 === 0 ? '' : `- item ${i}: ${SENTENCES[i % 5]}`,
    );
    const source = lines.join('\n');
    const started = performance.now();
    const chunks = chunkDocument(source, 'markdown', DEFAULT_CHUNKING);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(chunks.filter((c) => c.text.startsWith('# Part'))).toHaveLength(100);
    expect(violations(source, chunks, DEFAULT_CHUNKING)).toEqual([]);
  });

  test('random Markdown documents keep every invariant (seeded)', () => {
    const words = [
      'leave',
      'policy',
      'the',
      'a',
      'sabbatical',
      'expenses',
      '育儿假',
      '申请',
      'これは',
      '👍🏽',
      '🇯🇵',
      'café',
      'e\u0301',
      'Antidisestablishmentarianism',
      '2024',
      '(see',
      'note)',
      'x'.repeat(120),
    ];
    const ends = ['.', '!', '?', '。', '', ','];
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
      const sentence = (): string =>
        Array.from({ length: 1 + Math.floor(random() * 25) }, () => pick(words)).join(
          random() < 0.1 ? '' : ' ',
        ) + pick(ends);
      const paragraph = (): string =>
        Array.from({ length: 1 + Math.floor(random() * 6) }, sentence).join(pick([' ', '\n']));
      const blocks: string[] = [];
      if (random() < 0.2) blocks.push('---\ntitle: random\n---');
      for (let b = 0; b < 3 + Math.floor(random() * 25); b++) {
        const roll = random();
        if (roll < 0.15) blocks.push(`${'#'.repeat(1 + Math.floor(random() * 6))} ${sentence()}`);
        else if (roll < 0.2) blocks.push(`${sentence()}\n${pick(['===', '---'])}`);
        else if (roll < 0.3) blocks.push(`\`\`\`\n# ${sentence()}\n${paragraph()}\n\`\`\``);
        else if (roll < 0.4) blocks.push(`- ${sentence()}\n- ${paragraph()}`);
        else if (roll < 0.45) blocks.push(`| a | b |\n|---|---|\n| ${sentence()} | x |`);
        else if (roll < 0.5) blocks.push(`> ${paragraph()}`);
        else blocks.push(paragraph());
      }
      let source = blocks.join(pick(['\n\n', '\n\n\n', '\n \n']));
      if (random() < 0.3) source = source.replace(/\n/g, '\r\n');
      if (random() < 0.3) source = `  \n${source}\n  `;
      const targetTokens = pick([16, 24, 40, 80, 200]);
      const options = { targetTokens, overlapTokens: Math.floor(random() * (targetTokens / 2)) };
      const format = random() < 0.8 ? 'markdown' : 'plain';
      const chunks = chunkDocument(source, format, options);
      const found = violations(source, chunks, options, { format, graphemes: true });
      expect(found, `seed ${seed}`).toEqual([]);
    }
  }, 30_000); // 1.7 s on a quiet machine; other test runs on the same two cores can triple it
});

test('random character soup keeps every invariant (seeded)', () => {
  // Markdown syntax, line breaks of every kind and the pieces of grapheme clusters, in any order.
  const alphabet = [
    ...'aZ9 .,!?。#`~-=|>*_:\t',
    '\n',
    '\r',
    '\r\n',
    '\n\n',
    '```',
    '# ',
    '育',
    'の',
    '\u0301', // combining acute
    '\u200d', // zero-width joiner
    '\ufe0f', // variation selector
    '👩',
    '🏽',
    '🇯',
    '🇵',
    '\u00a0',
    '\u3000',
    '\u0600', // Arabic number sign: joins the character after it
    'क्ष',
  ];
  for (let seed = 1; seed <= 200; seed++) {
    const random = prng(seed * 7919);
    const length = Math.floor(random() * 2000);
    let source = '';
    for (let i = 0; i < length; i++) {
      source += alphabet[Math.floor(random() * alphabet.length)] ?? '';
    }
    const options = { targetTokens: 16 + Math.floor(random() * 50), overlapTokens: 0 };
    options.overlapTokens = Math.floor(random() * (options.targetTokens / 2));
    const format = seed % 2 === 0 ? 'markdown' : 'plain';
    const chunks = chunkDocument(source, format, options);
    const found = violations(source, chunks, options, { format, graphemes: true });
    expect(found, `seed ${seed}`).toEqual([]);
  }
});

describe('validateChunkingOptions', () => {
  test('accepts sensible settings', () => {
    expect(validateChunkingOptions(DEFAULT_CHUNKING)).toBeNull();
    expect(validateChunkingOptions({ targetTokens: 16, overlapTokens: 0 })).toBeNull();
    expect(validateChunkingOptions({ targetTokens: 512, overlapTokens: 256 })).toBeNull();
  });

  test.each([
    [{ targetTokens: 200, overlapTokens: 200 }, /smaller than the chunk size/],
    [{ targetTokens: 200, overlapTokens: 300 }, /smaller than the chunk size/],
    [{ targetTokens: 200, overlapTokens: 150 }, /at most half/],
    [{ targetTokens: 8, overlapTokens: 0 }, /between 16 and 8192/],
    [{ targetTokens: 100_000, overlapTokens: 0 }, /between 16 and 8192/],
    [{ targetTokens: 200.5, overlapTokens: 40 }, /whole number/],
    [{ targetTokens: Number.NaN, overlapTokens: 40 }, /whole number.*NaN/],
    [{ targetTokens: 200, overlapTokens: 4.5 }, /whole number/],
    [{ targetTokens: 200, overlapTokens: -1 }, /0 or more/],
  ])('rejects %o', (options, message) => {
    expect(validateChunkingOptions(options)).toMatch(message);
  });

  test('chunkDocument refuses settings it rejects', () => {
    expect(() => chunkDocument('text', 'plain', { targetTokens: 40, overlapTokens: 40 })).toThrow(
      RangeError,
    );
  });
});
