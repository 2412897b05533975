/*
 * core/text/ — a document's text before it is indexed: chunking (this file) on Markdown sections
 * or plain paragraphs, token estimates, PDF pages, the text embedded for a chunk and length-sorted
 * embedding batches, CSV records (for CSV documents and question sets), and human-readable numbers.
 */

import type { DocumentFormat } from './document-format';
import { isWhitespaceCode, markdownBlocks, plainBlocks, type Block } from './markdown-sections';
import { estimateTokens, type TokenCounter } from './token-estimate';

export interface ChunkingOptions {
  /** Most tokens a chunk may hold, overlap included. */
  targetTokens: number;
  /** Most tokens a chunk repeats from the end of the chunk before it, in the same section. */
  overlapTokens: number;
}

/** Sized for MiniLM's 256-token window, leaving room for special tokens and a count that errs. */
export const DEFAULT_CHUNKING: ChunkingOptions = Object.freeze({
  targetTokens: 200,
  overlapTokens: 40,
});

export const MIN_TARGET_TOKENS = 16;
export const MAX_TARGET_TOKENS = 8192;

export interface Chunk {
  /** 0-based position in the document. */
  ordinal: number;
  /** UTF-16 offset into the source, inclusive. */
  start: number;
  /** Exclusive; `source.slice(start, end) === text`, always. */
  end: number;
  text: string;
  /** Headings the chunk sits under, outermost first, without their `#` marks. */
  headingPath: string[];
  /** Tokens in `text`, counted with the counter the document was chunked with. */
  tokens: number;
}

/** A message saying what is wrong with the settings and what is allowed, or null if they work. */
export function validateChunkingOptions(o: ChunkingOptions): string | null {
  const { targetTokens: target, overlapTokens: overlap } = o;
  if (typeof target !== 'number' || !Number.isInteger(target)) {
    return `Chunk size must be a whole number of tokens (got ${String(target)}).`;
  }
  if (target < MIN_TARGET_TOKENS || target > MAX_TARGET_TOKENS) {
    return `Chunk size must be between ${MIN_TARGET_TOKENS} and ${MAX_TARGET_TOKENS} tokens (got ${target}).`;
  }
  if (typeof overlap !== 'number' || !Number.isInteger(overlap) || overlap < 0) {
    return `Overlap must be a whole number of tokens, 0 or more (got ${String(overlap)}).`;
  }
  if (overlap >= target) {
    return `Overlap (${overlap} tokens) must be smaller than the chunk size (${target} tokens).`;
  }
  if (overlap * 2 > target) {
    return `Overlap (${overlap} tokens) must be at most half the chunk size (${target} tokens), or each chunk would repeat more text than it adds.`;
  }
  return null;
}

/**
 * Splits a document into chunks for embedding, structure first: a chunk never spans two heading
 * sections; within a section whole blocks are packed greedily up to `targetTokens`; a block that
 * is too big is split into lines (code, tables), then sentences, then words, then grapheme
 * clusters, so no chunk splits a surrogate pair or a grapheme cluster. Consecutive chunks of a
 * section share up to `overlapTokens` of whole trailing sentences (or words, when the last sentence
 * alone is too long). Chunks are trimmed of whitespace and together cover every non-whitespace
 * character of the source, except Markdown front matter, which is metadata and is skipped.
 *
 * Every chunk holds at most `targetTokens` tokens by `countTokens`, unless it is a single grapheme
 * cluster that counts more. The counter must be monotone (appending text never lowers the count),
 * which token counts are in practice. Throws a RangeError for settings
 * `validateChunkingOptions` rejects.
 *
 * `format` says how to find blocks: Markdown (also HTML and .docx, stored as Markdown), paragraphs
 * (plain text, PDF), or paragraphs split into lines before sentences (source code, and CSV and JSON
 * records, whose lines are fields). A section also starts at each of `sectionStarts` (the offsets
 * where PDF pages start), so no chunk spans two of them.
 */
export function chunkDocument(
  source: string,
  format: DocumentFormat,
  options: ChunkingOptions,
  countTokens: TokenCounter = estimateTokens,
  sectionStarts: readonly number[] = [],
): Chunk[] {
  const problem = validateChunkingOptions(options);
  if (problem) throw new RangeError(problem);
  const chunker = new SectionChunker(source, options, countTokens);
  const chunks: Chunk[] = [];
  let section: Block[] = [];
  let nextStart = 0;
  for (const block of blocksOf(source, format)) {
    if (block.kind === 'frontmatter') continue;
    let startsSection = block.kind === 'heading' && !introduces(section, block);
    while (nextStart < sectionStarts.length && (sectionStarts[nextStart] ?? 0) <= block.start) {
      startsSection = true;
      nextStart++;
    }
    if (startsSection && section.length > 0) {
      chunker.chunk(section, chunks);
      section = [];
    }
    section.push(block);
  }
  if (section.length > 0) chunker.chunk(section, chunks);
  return chunks;
}

function blocksOf(source: string, format: DocumentFormat): Block[] {
  switch (format) {
    case 'markdown':
    case 'html':
    case 'docx':
      return markdownBlocks(source);
    case 'plain':
    case 'pdf':
      return plainBlocks(source);
    case 'code':
    case 'csv':
    case 'json':
      return plainBlocks(source).map((block) => ({ ...block, kind: 'code' }));
  }
}

/**
 * A section that is only headings ("## 4. Leave" straight above "### 4.1 Annual leave") joins the
 * subsection under it: alone it would be a chunk with nothing to retrieve.
 */
function introduces(section: Block[], heading: Block): boolean {
  const last = section[section.length - 1];
  return (
    section.every((b) => b.kind === 'heading') &&
    last !== undefined &&
    (heading.level ?? 0) > (last.level ?? 0)
  );
}

type Stage = 'lines' | 'sentences' | 'words' | 'graphemes';
type Granularity = 'sentence' | 'word' | 'grapheme';

const segmenters = new Map<Granularity, Intl.Segmenter>();
function segmenterFor(granularity: Granularity): Intl.Segmenter {
  let segmenter = segmenters.get(granularity);
  if (!segmenter) {
    segmenter = new Intl.Segmenter(undefined, { granularity });
    segmenters.set(granularity, segmenter);
  }
  return segmenter;
}

const SEGMENT_WINDOW = 1024;

/**
 * Visits the segments of source[start, end) in order. V8's Intl.Segmenter spends time proportional
 * to the input's length on every segment (splitting a 400 kB string into words takes a minute), so
 * the range is fed in windows of about a kilobyte. Each window starts at a boundary already found;
 * its last two segments are segmented again as the start of the next window, because the window's
 * end may have cut them short and word rules look two characters ahead. A window holding fewer
 * than three segments is doubled until it does or reaches `end`. A segment that would start inside
 * a grapheme cluster is merged into the one before it (see `joinsPrevious`).
 */
function forEachSegment(
  source: string,
  start: number,
  end: number,
  granularity: Granularity,
  visit: (start: number, end: number, isWordLike: boolean) => void,
): void {
  const segmenter = segmenterFor(granularity);
  let pos = start;
  let window = SEGMENT_WINDOW;
  const starts: number[] = [];
  const wordLike: boolean[] = [];
  // The segment found but not yet visited: its end is the next segment's start.
  let pendingStart = -1;
  let pendingWordLike = false;
  while (pos < end) {
    const windowEnd = Math.min(end, pos + window);
    starts.length = 0;
    wordLike.length = 0;
    for (const s of segmenter.segment(source.slice(pos, windowEnd))) {
      starts.push(pos + s.index);
      wordLike.push(s.isWordLike ?? false);
    }
    const atEnd = windowEnd === end;
    const keep = atEnd ? starts.length : starts.length - 2;
    if (keep < 1) {
      window *= 2;
      continue;
    }
    for (let k = 0; k < keep; k++) {
      const s = starts[k] ?? pos;
      if (pendingStart !== -1 && joinsPrevious(source, s)) {
        pendingWordLike ||= wordLike[k] ?? false;
        continue;
      }
      if (pendingStart !== -1) visit(pendingStart, s, pendingWordLike);
      pendingStart = s;
      pendingWordLike = wordLike[k] ?? false;
    }
    if (atEnd) break;
    pos = starts[keep] ?? windowEnd;
    window = SEGMENT_WINDOW;
  }
  if (pendingStart !== -1) visit(pendingStart, end, pendingWordLike);
}

const JOINS_PREVIOUS = /^[\p{Grapheme_Extend}\p{Emoji_Modifier}\u200d]/u;

/** Grapheme_Cluster_Break=Prepend (Unicode 15.1): these join the character after them. */
function isPrepend(cp: number): boolean {
  return (
    (cp >= 0x600 && cp <= 0x605) ||
    cp === 0x6dd ||
    cp === 0x70f ||
    cp === 0x890 ||
    cp === 0x891 ||
    cp === 0x8e2 ||
    cp === 0xd4e ||
    cp === 0x110bd ||
    cp === 0x110cd ||
    cp === 0x111c2 ||
    cp === 0x111c3 ||
    cp === 0x1193f ||
    cp === 0x11941 ||
    cp === 0x11a3a ||
    (cp >= 0x11a84 && cp <= 0x11a89) ||
    cp === 0x11d46 ||
    cp === 0x11f02
  );
}

/**
 * Whether a segment boundary at `at` would cut a grapheme cluster. Sentence and word rules are
 * not grapheme rules: ICU breaks ".🏽" after the full stop (emoji modifiers do not extend a
 * sentence) and a prepended Arabic number sign from its number; such a segment is merged into the
 * one before it.
 */
function joinsPrevious(source: string, at: number): boolean {
  const c = source.charCodeAt(at);
  const before = source.codePointAt(at - 1) ?? 0;
  if (
    before >= 0x600 &&
    isPrepend(before >= 0xdc00 && before <= 0xdfff ? (source.codePointAt(at - 2) ?? 0) : before)
  ) {
    return !isWhitespaceCode(c) && c !== 10 && c !== 13;
  }
  if (c < 0x300 || (c >= 0x3400 && c <= 0x9fff)) return false;
  if (c >= 0xdc00 && c <= 0xdfff) return true; // the second half of a surrogate pair
  return JOINS_PREVIOUS.test(source.slice(at, at + 2));
}

function trimStart(source: string, start: number, end: number): number {
  while (start < end && isWhitespaceCode(source.charCodeAt(start))) start++;
  return start;
}

function trimEnd(source: string, start: number, end: number): number {
  while (end > start && isWhitespaceCode(source.charCodeAt(end - 1))) end--;
  return end;
}

/** Trimmed, non-empty sentences of source[start, end). */
function forEachSentence(
  source: string,
  start: number,
  end: number,
  visit: (start: number, end: number) => void,
): void {
  forEachSegment(source, start, end, 'sentence', (s, e) => {
    const ts = trimStart(source, s, e);
    if (ts < e) visit(ts, trimEnd(source, ts, e));
  });
}

/**
 * Words of source[start, end) with the punctuation that touches them: "(see" and "it," are one
 * word each, so a split never leaves a comma or bracket on its own at the edge of a chunk. Words
 * contain no whitespace. Scripts written without spaces get the segmenter's dictionary words.
 */
function forEachWord(
  source: string,
  start: number,
  end: number,
  visit: (start: number, end: number) => void,
): void {
  let unitStart = -1;
  let unitEnd = -1;
  let unitHasWord = false;
  const flush = (): void => {
    if (unitStart === -1) return;
    const ts = trimStart(source, unitStart, unitEnd);
    if (ts < unitEnd) visit(ts, trimEnd(source, ts, unitEnd));
    unitStart = -1;
  };
  forEachSegment(source, start, end, 'word', (s, e, isWordLike) => {
    // A segment can start with whitespace: a space carrying a combining mark is one cluster.
    const contentStart = trimStart(source, s, e);
    if (contentStart > s) flush();
    if (contentStart === e) return;
    if (unitStart !== -1 && unitEnd === s && (!isWordLike || !unitHasWord)) {
      unitEnd = e;
      unitHasWord ||= isWordLike;
      return;
    }
    flush();
    unitStart = contentStart;
    unitEnd = e;
    unitHasWord = isWordLike;
  });
  flush();
}

/**
 * Non-whitespace grapheme clusters of source[start, end). A cluster that starts with whitespace
 * (a space carrying a combining mark or an emoji modifier) loses that whitespace: chunks never
 * start with whitespace, and this is the one case where that wins over keeping a cluster whole.
 */
function forEachGrapheme(
  source: string,
  start: number,
  end: number,
  visit: (start: number, end: number) => void,
): void {
  // Below U+0300 no character joins the one before it, so, CR LF aside, every position between
  // two such characters is a cluster boundary; this keeps long ASCII runs off the slow segmenter.
  let pos = start;
  while (pos < end) {
    const c = source.charCodeAt(pos);
    const next = pos + 1 < end ? source.charCodeAt(pos + 1) : 0;
    if (c < 0x300 && next < 0x300 && !(c === 13 && next === 10)) {
      if (!isWhitespaceCode(c)) visit(pos, pos + 1);
      pos++;
      continue;
    }
    // Segment from here up to the next place where the fast path is sure again.
    let stop = pos + 1;
    while (stop < end) {
      const a = source.charCodeAt(stop - 1);
      const b = source.charCodeAt(stop);
      if (a < 0x300 && b < 0x300 && !(a === 13 && b === 10)) break;
      stop++;
    }
    forEachSegment(source, pos, stop, 'grapheme', (s, e) => {
      const contentStart = trimStart(source, s, e);
      if (contentStart < e) visit(contentStart, e);
    });
    pos = stop;
  }
}

function splitLines(
  source: string,
  start: number,
  end: number,
  visit: (start: number, end: number) => void,
): void {
  let lineStart = start;
  for (let i = start; i <= end; i++) {
    const c = i < end ? source.charCodeAt(i) : 10;
    if (c !== 10 && c !== 13) continue;
    const ts = trimStart(source, lineStart, i);
    if (ts < i) visit(ts, trimEnd(source, ts, i));
    lineStart = i + 1;
  }
}

type Splitter = (
  source: string,
  start: number,
  end: number,
  visit: (start: number, end: number) => void,
) => void;

/**
 * Ascending starts of the parts of source[from, to) after `from`, segmenting only as much of the
 * tail as needed: windows reaching back from `to` grow until they reach `from` or until the
 * earliest start found is no longer `wanted` (the starts before it would not be either). A
 * window's first part may be cut short and its first boundary lacks context, so neither is used.
 */
function tailStarts(
  source: string,
  from: number,
  to: number,
  split: Splitter,
  wanted: (start: number) => boolean,
): number[] {
  for (let reach = 256; ; reach *= 4) {
    const windowStart = Math.max(from, to - reach);
    const starts: number[] = [];
    split(source, windowStart, to, (s) => {
      if (s > windowStart) starts.push(s);
    });
    if (windowStart === from) return starts;
    starts.shift();
    const earliest = starts[0];
    if (earliest !== undefined && !wanted(earliest)) return starts;
  }
}

/** Chunks one heading section: splits its blocks into pieces that fit, then packs the pieces. */
class SectionChunker {
  private readonly target: number;
  private readonly overlap: number;
  // The pieces of the section being chunked, as parallel arrays of [start, end) offsets.
  private starts: number[] = [];
  private ends: number[] = [];

  constructor(
    private readonly source: string,
    options: ChunkingOptions,
    private readonly countTokens: TokenCounter,
  ) {
    this.target = options.targetTokens;
    this.overlap = options.overlapTokens;
  }

  private count(start: number, end: number): number {
    return this.countTokens(this.source.slice(start, end));
  }

  chunk(section: Block[], out: Chunk[]): void {
    this.starts = [];
    this.ends = [];
    for (const block of section) {
      const stage = block.kind === 'code' || block.kind === 'table' ? 'lines' : 'sentences';
      this.addPiece(block.start, block.end, stage, false);
    }
    // The section's own heading is its last leading one (earlier ones introduce it).
    let heading: Block | undefined;
    for (const block of section) {
      if (block.kind !== 'heading') break;
      heading = block;
    }
    // The heading path already says which section a chunk is in; repeating its heading's words
    // as overlap would only dilute the chunk.
    const overlapFloor = heading?.end ?? 0;
    this.pack((heading ?? section[0])?.headingPath ?? [], overlapFloor, out);
  }

  /**
   * Adds source[start, end) as one piece if it fits the target, or else its parts at `stage`,
   * each recursively. `oversized` says the caller already knows it does not fit.
   */
  private addPiece(start: number, end: number, stage: Stage, oversized: boolean): void {
    if (!oversized && this.count(start, end) <= this.target) {
      this.push(start, end);
      return;
    }
    if (stage === 'graphemes') {
      forEachGrapheme(this.source, start, end, (s, e) => this.push(s, e));
      return;
    }
    const next: Stage =
      stage === 'lines' ? 'sentences' : stage === 'sentences' ? 'words' : 'graphemes';
    const visit = (s: number, e: number): void =>
      this.addPiece(s, e, next, s === start && e === end);
    if (stage === 'lines') splitLines(this.source, start, end, visit);
    else if (stage === 'sentences') forEachSentence(this.source, start, end, visit);
    else forEachWord(this.source, start, end, visit);
  }

  private push(start: number, end: number): void {
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Greedy packing: each chunk takes as many whole pieces as fit after its overlap. */
  private pack(headingPath: string[], overlapFloor: number, out: Chunk[]): void {
    const { starts, ends, target } = this;
    const n = starts.length;
    let previous: { start: number; end: number } | null = null;
    let i = 0;
    while (i < n) {
      const firstEnd = ends[i] ?? 0;
      let start = starts[i] ?? 0;
      if (previous && this.overlap > 0) {
        start = this.overlapStart(previous.start, previous.end, firstEnd, overlapFloor) ?? start;
      }
      // Gallop, then binary search, for the most pieces that fit; the first always goes in.
      let fit = 1;
      let fitTokens = this.count(start, firstEnd);
      let misfit = -1;
      const available = n - i;
      for (let probe = 2; misfit === -1 && fit < available; probe *= 2) {
        const take = Math.min(probe, available);
        const tokens = this.count(start, ends[i + take - 1] ?? 0);
        if (tokens <= target) {
          fit = take;
          fitTokens = tokens;
        } else {
          misfit = take;
        }
      }
      while (misfit - fit > 1) {
        const take = (fit + misfit) >>> 1;
        const tokens = this.count(start, ends[i + take - 1] ?? 0);
        if (tokens <= target) {
          fit = take;
          fitTokens = tokens;
        } else {
          misfit = take;
        }
      }
      const end = ends[i + fit - 1] ?? firstEnd;
      out.push({
        ordinal: out.length,
        start,
        end,
        text: this.source.slice(start, end),
        headingPath: [...headingPath],
        tokens: fitTokens,
      });
      previous = { start, end };
      i += fit;
    }
  }

  /**
   * Where the chunk after source[prevStart, prevEnd) should start so that it repeats the most
   * whole trailing sentences of it that hold at most `overlap` tokens, or failing that the most
   * trailing words of its last sentence, while the repeat plus the next piece (ending at
   * `firstEnd`) still fits the target. The repeat starts at or after `floor`. Null when nothing
   * fits: then the chunks do not overlap.
   */
  private overlapStart(
    prevStart: number,
    prevEnd: number,
    firstEnd: number,
    floor: number,
  ): number | null {
    const withinOverlap = (c: number): boolean => this.count(c, prevEnd) <= this.overlap;
    const sentenceStarts = tailStarts(
      this.source,
      prevStart,
      prevEnd,
      forEachSentence,
      withinOverlap,
    );
    const chosen = this.firstFitting(
      sentenceStarts.filter((s) => s >= floor),
      prevEnd,
      firstEnd,
    );
    if (chosen !== null) return chosen;
    const lastSentence = sentenceStarts[sentenceStarts.length - 1] ?? prevStart;
    const wordStarts = tailStarts(this.source, lastSentence, prevEnd, forEachWord, withinOverlap);
    return this.firstFitting(
      wordStarts.filter((s) => s >= floor),
      prevEnd,
      firstEnd,
    );
  }

  /**
   * The earliest of the ascending `candidates` whose text up to `prevEnd` holds at most `overlap`
   * tokens and up to `firstEnd` at most `target` tokens. Later candidates count fewer tokens, so
   * both are binary searches.
   */
  private firstFitting(candidates: number[], prevEnd: number, firstEnd: number): number | null {
    const lowest = (from: number, fits: (c: number) => boolean): number => {
      let lo = from;
      let hi = candidates.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (fits(candidates[mid] ?? 0)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const withinOverlap = lowest(0, (c) => this.count(c, prevEnd) <= this.overlap);
    const withinTarget = lowest(withinOverlap, (c) => this.count(c, firstEnd) <= this.target);
    return candidates[withinTarget] ?? null;
  }
}
