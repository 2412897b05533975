export type BlockKind =
  'heading' | 'paragraph' | 'code' | 'list' | 'table' | 'quote' | 'rule' | 'html' | 'frontmatter';

/**
 * A run of source text that is one structural unit. Offsets are UTF-16 indices into the source and
 * are trimmed: `start` is the first non-whitespace character and `end` is just past the last, so a
 * block never starts or ends with whitespace. Blank lines separate blocks and are not blocks.
 */
export interface Block {
  start: number;
  end: number;
  kind: BlockKind;
  /** Headings this block sits under, outermost first; a heading's own path ends with itself. */
  headingPath: string[];
  /** 1–6, for headings only. */
  level?: number;
}

/** Longest heading text kept in a heading path; a setext heading can be a whole paragraph. */
const MAX_HEADING_CHARS = 200;

/** True for the characters JavaScript's `\s` matches. */
export function isWhitespaceCode(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c > 127 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

/** Lines as [start, end) pairs without their terminators; `\n`, `\r\n` and `\r` all end a line. */
function splitLines(source: string): { starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  let lineStart = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || c === 13) {
      starts.push(lineStart);
      ends.push(i);
      if (c === 13 && source.charCodeAt(i + 1) === 10) i++;
      lineStart = i + 1;
    }
  }
  if (lineStart < source.length) {
    starts.push(lineStart);
    ends.push(source.length);
  }
  return { starts, ends };
}

function isBlankRange(source: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isWhitespaceCode(source.charCodeAt(i))) return false;
  return true;
}

function trimmedStart(source: string, start: number, end: number): number {
  while (start < end && isWhitespaceCode(source.charCodeAt(start))) start++;
  return start;
}

function trimmedEnd(source: string, start: number, end: number): number {
  while (end > start && isWhitespaceCode(source.charCodeAt(end - 1))) end--;
  return end;
}

/** Columns of leading indentation, tabs to the next multiple of 4 (CommonMark). */
function indentOf(line: string): number {
  let cols = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) cols++;
    else if (c === 9) cols += 4 - (cols % 4);
    else break;
  }
  return cols;
}

/** Heading text as a reader sees it: inline markup dropped, whitespace collapsed, length capped. */
function headingText(raw: string): string {
  let text = raw
    .slice(0, MAX_HEADING_CHARS * 2)
    .replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/(^|[\s(])[*_]+(?=\S)|(?<=\S)[*_]+(?=$|[\s).,:;!?])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length > MAX_HEADING_CHARS) {
    let cut = MAX_HEADING_CHARS;
    const c = text.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--; // keep surrogate pairs whole
    text = text.slice(0, cut).trimEnd() + '…';
  }
  return text;
}

/** ATX heading content without its optional closing run of `#`. */
function atxContent(rest: string): string {
  const t = rest.trimEnd();
  let j = t.length;
  while (j > 0 && t.charCodeAt(j - 1) === 35) j--;
  if (j === 0) return '';
  if (j < t.length && (t[j - 1] === ' ' || t[j - 1] === '\t')) return t.slice(0, j);
  return t;
}

const ATX = /^ {0,3}(#{1,6})(?=[ \t]|$)/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})/;
const FENCE_CLOSE = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;
const LIST_MARKER = /^[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
const QUOTE = /^ {0,3}>/;
const HTML_COMMENT = /^ {0,3}<!--/;
const TABLE_DELIMITER = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const FRONT_MATTER_OPEN = /^\uFEFF?---[ \t]*$/;
const FRONT_MATTER_CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

type OpenKind = 'paragraph' | 'list' | 'quote' | 'table';

/**
 * Blocks of a Markdown document, in order, each with the heading path it sits under. Covers the
 * CommonMark structure that matters for splitting: ATX and setext headings, fenced code (``` and
 * ~~~, where a `#` line is code, not a heading), indented code, paragraphs, list items (one block
 * each), block quotes, GFM tables, thematic breaks, HTML comments and a leading YAML front matter
 * block (kind 'frontmatter'). An unclosed fence runs to the end of the document, as CommonMark says.
 */
export function markdownBlocks(source: string): Block[] {
  const { starts, ends } = splitLines(source);
  const lineCount = starts.length;
  const lineStart = (i: number): number => starts[i] ?? source.length;
  const lineEnd = (i: number): number => ends[i] ?? source.length;
  const lineText = (i: number): string => source.slice(lineStart(i), lineEnd(i));

  const blocks: Block[] = [];
  const headings: { level: number; text: string }[] = [];
  let path: string[] = [];
  // The paragraph, list item, quote or table that following lines may still extend.
  let open = null as { kind: OpenKind; first: number; last: number; blankAfter: boolean } | null;
  // After a list item, indented content and indented fences still belong to the list.
  let inList = false;

  const push = (kind: BlockKind, first: number, last: number, level?: number): void => {
    const start = trimmedStart(source, lineStart(first), lineEnd(first));
    const end = trimmedEnd(source, lineStart(last), lineEnd(last));
    const block: Block = { start, end, kind, headingPath: path };
    if (level !== undefined) block.level = level;
    blocks.push(block);
  };
  const closeOpen = (): void => {
    if (open) push(open.kind, open.first, open.last);
    open = null;
  };
  const enterHeading = (level: number, text: string): void => {
    while (headings.length > 0 && (headings[headings.length - 1]?.level ?? 0) >= level) {
      headings.pop();
    }
    headings.push({ level, text });
    path = headings.map((h) => h.text).filter((t) => t !== '');
  };

  let i = 0;
  if (lineCount > 1 && FRONT_MATTER_OPEN.test(lineText(0))) {
    for (let j = 1; j < lineCount; j++) {
      if (FRONT_MATTER_CLOSE.test(lineText(j))) {
        push('frontmatter', 0, j);
        i = j + 1;
        break;
      }
    }
  }

  for (; i < lineCount; i++) {
    if (isBlankRange(source, lineStart(i), lineEnd(i))) {
      if (open?.kind === 'list') open.blankAfter = true;
      else closeOpen();
      continue;
    }
    const line = lineText(i);
    const indent = indentOf(line);
    const isMarker = LIST_MARKER.test(line);

    if (open?.kind === 'list' && open.blankAfter) {
      // A list item continues past a blank line only with indented content.
      if (indent >= 2 && !isMarker && !FENCE_OPEN.test(line)) {
        open.last = i;
        open.blankAfter = false;
        continue;
      }
      closeOpen();
    }
    if (indent < 2 && !isMarker && open?.kind !== 'list') inList = false;

    const fence = FENCE_OPEN.exec(line);
    if (fence && (indent <= 3 || inList)) {
      const marker = fence[2] ?? '```';
      const info = line.slice(fence[0].length);
      if (!(marker[0] === '`' && info.includes('`'))) {
        closeOpen();
        let last = lineCount - 1;
        for (let j = i + 1; j < lineCount; j++) {
          const close = FENCE_CLOSE.exec(lineText(j));
          if (close?.[1] && close[1][0] === marker[0] && close[1].length >= marker.length) {
            last = j;
            break;
          }
        }
        // Trailing blank lines of an unclosed fence are not part of it.
        while (last > i && isBlankRange(source, lineStart(last), lineEnd(last))) last--;
        push('code', i, last);
        i = last;
        continue;
      }
    }

    if (indent >= 4 && open === null && !inList) {
      let last = i;
      for (let j = i + 1; j < lineCount; j++) {
        if (isBlankRange(source, lineStart(j), lineEnd(j))) continue;
        if (indentOf(lineText(j)) < 4) break;
        last = j;
      }
      push('code', i, last);
      i = last;
      continue;
    }

    const atx = indent <= 3 ? ATX.exec(line) : null;
    if (atx) {
      closeOpen();
      const level = atx[1]?.length ?? 1;
      enterHeading(level, headingText(atxContent(line.slice(atx[0].length))));
      push('heading', i, i, level);
      inList = false;
      continue;
    }

    if (open?.kind === 'paragraph' && SETEXT_UNDERLINE.test(line)) {
      const level = line.trimStart().startsWith('=') ? 1 : 2;
      const textEnd = Math.min(lineEnd(open.last), lineStart(open.first) + MAX_HEADING_CHARS * 4);
      enterHeading(level, headingText(source.slice(lineStart(open.first), textEnd)));
      push('heading', open.first, i, level);
      open = null;
      continue;
    }

    if (THEMATIC_BREAK.test(line)) {
      closeOpen();
      push('rule', i, i);
      inList = false;
      continue;
    }

    if (QUOTE.test(line)) {
      if (open?.kind === 'quote') open.last = i;
      else {
        closeOpen();
        open = { kind: 'quote', first: i, last: i, blankAfter: false };
      }
      continue;
    }

    if (isMarker) {
      closeOpen();
      open = { kind: 'list', first: i, last: i, blankAfter: false };
      inList = true;
      continue;
    }

    if (HTML_COMMENT.test(line) && open === null) {
      let last = lineCount - 1;
      for (let j = i; j < lineCount; j++) {
        const text = lineText(j);
        if (text.indexOf('-->', j === i ? text.indexOf('<!--') + 4 : 0) !== -1) {
          last = j;
          break;
        }
      }
      push('html', i, last);
      i = last;
      continue;
    }

    if (open?.kind === 'paragraph' && open.first === open.last && line.includes('-')) {
      const header = lineText(open.first);
      if (header.includes('|') && line.length < 10_000 && TABLE_DELIMITER.test(line)) {
        open.kind = 'table';
        open.last = i;
        continue;
      }
    }
    if (open?.kind === 'table') {
      if (line.includes('|')) {
        open.last = i;
        continue;
      }
      closeOpen();
    }

    // Lazy continuation: a plain line continues an open paragraph, list item or quote.
    if (open) open.last = i;
    else open = { kind: 'paragraph', first: i, last: i, blankAfter: false };
  }
  closeOpen();
  return blocks;
}

/** Paragraphs of plain text: runs of non-blank lines separated by blank lines. */
export function plainBlocks(source: string): Block[] {
  const { starts, ends } = splitLines(source);
  const blocks: Block[] = [];
  let paragraphStart = -1;
  let paragraphEnd = -1;
  const headingPath: string[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] ?? 0;
    const end = ends[i] ?? 0;
    if (isBlankRange(source, start, end)) {
      if (paragraphStart !== -1) blocks.push(paragraph(paragraphStart, paragraphEnd));
      paragraphStart = -1;
      continue;
    }
    if (paragraphStart === -1) paragraphStart = start;
    paragraphEnd = end;
  }
  if (paragraphStart !== -1) blocks.push(paragraph(paragraphStart, paragraphEnd));
  return blocks;

  function paragraph(start: number, end: number): Block {
    return {
      start: trimmedStart(source, start, end),
      end: trimmedEnd(source, start, end),
      kind: 'paragraph',
      headingPath,
    };
  }
}
