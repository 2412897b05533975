/**
 * Markdown that arrives a few characters at a time, as blocks that Svelte can key by id.
 *
 * Contract: after every append, `blocks` equals `parseMarkdown` of all the text so far (plus ids).
 * A block is stable once nothing appended later can change it; from then on it is the same object
 * with the same id and is never lexed again. The text after the stable blocks (the tail) is lexed
 * again only when a line ends or a line starts in a way that could open a new block. Characters
 * added to the last line of an open paragraph, list item or fenced code block go straight into
 * it, and only the end of that line's inline run that could still change is lexed again.
 */

import type { Token, Tokens } from 'marked';
import {
  lexBlocks,
  lexInline,
  normalizeNewlines,
  toBlockNodes,
  type Block,
  type BlockNode,
} from './markdown-ast';

/** Where appended characters can go without lexing the tail's blocks again. */
type OpenLine =
  | {
      kind: 'inline';
      /** The paragraph or list item text that the tail's last line ends. */
      leaf: Tokens.Paragraph | Tokens.Text;
      /** The leaf's text before the last line's part of it. */
      base: string;
      line: string;
      inList: boolean;
    }
  | { kind: 'code'; code: Tokens.Code; base: string; line: string };

export class MarkdownStream {
  /** Characters handed to marked's lexer since the last reset: the work done, for tests. */
  charsLexed = 0;

  #stable: Block[] = [];
  /** The text after the stable blocks. */
  #tail = '';
  #tailTokens: Token[] = [];
  #tailBlocks: Block[] = [];
  /** Each tail block's token source, or null once the open line has changed it. */
  #tailRaws: (string | null)[] = [];
  #blocks: Block[] = [];
  /** The id of the first tail block; ids follow the blocks' order. */
  #nextId = 0;
  #heldCarriageReturn = false;
  #open: OpenLine | null = null;
  /** Inline tokens of the tail's runs at the last lexing, by source, to skip runs that did not change. */
  #inlineMemo = new Map<string, Token[]>();
  /**
   * The start of the last open inline run that later text cannot re-read, and its tokens: for
   * any text S, the tokens of `src + S` are `tokens` followed by the tokens of S.
   */
  #closed = { src: '', tokens: [] as Token[] };

  /** Stable blocks first (same objects as before), then the tail's blocks. Replaced, not mutated. */
  get blocks(): Block[] {
    return this.#blocks;
  }

  reset(): void {
    this.charsLexed = 0;
    this.#stable = [];
    this.#tail = '';
    this.#tailTokens = [];
    this.#tailBlocks = [];
    this.#tailRaws = [];
    this.#blocks = [];
    this.#nextId = 0;
    this.#heldCarriageReturn = false;
    this.#open = null;
    this.#inlineMemo = new Map();
    this.#closed = { src: '', tokens: [] };
  }

  append(delta: string): void {
    let text = (this.#heldCarriageReturn ? '\r' : '') + delta;
    // "\r" then "\n" in the next delta is one line break, not two.
    this.#heldCarriageReturn = text.endsWith('\r');
    if (this.#heldCarriageReturn) text = text.slice(0, -1);
    text = normalizeNewlines(text);
    if (!text) return;
    this.#tail += text;
    if (text.includes('\n') || !this.#extendOpenLine(text)) this.#lexTail();
  }

  #lexTail(): void {
    this.charsLexed += this.#tail.length;
    const { tokens, inline } = lexBlocks(this.#tail);
    const leaf = lastLeaf(tokens);
    const memo = new Map<string, Token[]>();
    for (const run of inline) {
      if (run.tokens === leaf?.tokens) {
        run.tokens.push(...this.#lexOpenRun(run.src));
        continue;
      }
      const known = memo.get(run.src) ?? this.#inlineMemo.get(run.src) ?? this.#lexInline(run.src);
      memo.set(run.src, known);
      run.tokens.push(...known);
    }
    this.#inlineMemo = memo;

    const starts = tokenStarts(tokens, this.#tail);
    const open = starts ? firstOpenToken(tokens, starts, this.#tail) : 0;
    const blocks: Block[] = [];
    const raws: (string | null)[] = [];
    let stableCount = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const [node] = toBlockNodes([token]);
      if (!node) continue;
      const index = blocks.length;
      const previous = this.#tailBlocks[index];
      // The same source gives the same block: keep the object so its DOM is left alone.
      const block =
        previous && this.#tailRaws[index] === token.raw
          ? previous
          : withId(node, this.#nextId + index);
      blocks.push(block);
      raws.push(token.raw);
      if (i < open) stableCount++;
    }
    if (open > 0) {
      this.#stable.push(...blocks.splice(0, stableCount));
      raws.splice(0, stableCount);
      this.#nextId += stableCount;
      this.#tail = this.#tail.slice(starts![open]);
    }
    this.#tailTokens = tokens.slice(open);
    this.#tailBlocks = blocks;
    this.#tailRaws = raws;
    this.#blocks = this.#stable.concat(blocks);
    this.#open = openLine(this.#tail, this.#tailTokens);
  }

  /** Adds `delta` (no line break) to the open line; false when the tail must be lexed again. */
  #extendOpenLine(delta: string): boolean {
    const open = this.#open;
    if (!open) return false;
    const line = open.line + delta;
    if (open.kind === 'code') {
      // A line that starts with a fence character may be the closing fence.
      if (/^ {0,3}[`~]/.test(line)) return false;
      open.code.text = open.base + line;
    } else if (open.inList) {
      const content = listLineContent(line);
      if (content !== listLineContent(open.line) + delta || !isPlainTextLine(content, true)) {
        return false;
      }
      this.#setLeafText(open.leaf, open.base + content.trimEnd());
    } else {
      if (!isPlainTextLine(line, false)) return false;
      this.#setLeafText(open.leaf, open.base + line);
    }
    open.line = line;

    const last = this.#tailTokens.length - 1;
    const [node] = toBlockNodes([this.#tailTokens[last]!]);
    const index = this.#tailBlocks.length - 1;
    if (!node || index < 0) return false;
    this.#tailBlocks[index] = withId(node, this.#nextId + index);
    this.#tailRaws[index] = null;
    this.#blocks = this.#stable.concat(this.#tailBlocks);
    return true;
  }

  #setLeafText(leaf: Tokens.Paragraph | Tokens.Text, text: string): void {
    leaf.text = text;
    leaf.tokens = this.#lexOpenRun(text);
  }

  /**
   * Inline tokens of the run still being written. The part of it already known to be closed is
   * not lexed again; the closed part grows whenever the run reaches a point later text cannot
   * reach back past.
   */
  #lexOpenRun(src: string): Token[] {
    if (!src.startsWith(this.#closed.src)) this.#closed = { src: '', tokens: [] };
    const closed = this.#closed;
    let rest = src.slice(closed.src.length);
    let restTokens = this.#lexInline(rest);
    const cut = closedPrefixLength(rest, restTokens);
    if (cut > 0) {
      const prefix = rest.slice(0, cut);
      const prefixTokens = this.#lexInline(prefix);
      if (sameTokensUpTo(prefixTokens, restTokens, cut)) {
        closed.src += prefix;
        closed.tokens.push(...prefixTokens);
        rest = rest.slice(cut);
        restTokens = this.#lexInline(rest);
      }
    }
    return closed.tokens.concat(restTokens);
  }

  #lexInline(src: string): Token[] {
    this.charsLexed += src.length;
    return lexInline(src);
  }
}

function withId(node: BlockNode, id: number): Block {
  return { ...node, id };
}

/** Each token's offset in `src`, or null when the tokens do not cover `src` exactly. */
function tokenStarts(tokens: readonly Token[], src: string): number[] | null {
  const starts: number[] = [];
  let at = 0;
  for (const token of tokens) {
    if (src.slice(at, at + token.raw.length) !== token.raw) return null;
    starts.push(at);
    at += token.raw.length;
  }
  starts.push(at);
  return at === src.length ? starts : null;
}

/**
 * The index of the first token that text appended later might still change; every token before it
 * is final. A token is final once what follows it can no longer join it or re-read it.
 */
function firstOpenToken(tokens: readonly Token[], starts: readonly number[], src: string): number {
  for (let next = tokens.length - 1; next > 0; next--) {
    if (tokens[next]!.type === 'space') continue;
    let previous = next - 1;
    while (previous >= 0 && tokens[previous]!.type === 'space') previous--;
    if (previous < 0) return 0;
    if (closes(tokens[previous]!, tokens[next]!, src, starts[next]!)) return next;
  }
  return 0;
}

/** Whether the block `previous` is final, given that `next` starts at `start` in `src`. */
function closes(previous: Token, next: Token, src: string, start: number): boolean {
  if (start === 0 || src[start - 1] !== '\n') return false;
  const lineEnd = src.indexOf('\n', start);
  const line = src.slice(start, lineEnd < 0 ? undefined : lineEnd);
  const lineIsComplete = lineEnd >= 0;
  const lineBefore = src.slice(src.lastIndexOf('\n', start - 2) + 1, start - 1);

  // After a blank line, a line at the left margin ends every open block, unless it is (or may
  // yet become) an item of the list before it.
  if (lineBefore.trim() === '' && /^[^ \t]/.test(line) && !mayBeListItem(line)) return true;
  // An ATX heading and a thematic break are one line; a closed code fence has ended.
  if (previous.type === 'heading' && /^ {0,3}#/.test(previous.raw)) return true;
  if (previous.type === 'hr') return true;
  if (previous.type === 'code' && /^ {0,3}(`{3,}|~{3,})/.test(previous.raw)) return true;
  // A paragraph ends where a list, heading, quote or fence interrupts it.
  if (previous.type === 'paragraph') {
    if (next.type === 'list' && /^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+\S/.test(line)) return true;
    if (next.type === 'heading' && /^ {0,3}#{1,6}[ \t]/.test(line)) return true;
    if (next.type === 'blockquote' && /^ {0,3}>/.test(line)) return true;
    const interrupts = ['code', 'hr', 'html', 'heading', 'list'];
    if (lineIsComplete && interrupts.includes(next.type)) return true;
  }
  return false;
}

function mayBeListItem(line: string): boolean {
  return /^([-*+]|\d{1,9}[.)]?)$/.test(line) || /^([-*+]|\d{1,9}[.)])[ \t]/.test(line);
}

/** The paragraph or list item text that ends the last block, if any. */
function lastLeaf(tokens: readonly Token[]): Tokens.Paragraph | Tokens.Text | null {
  let token = lastContent(tokens);
  while (token?.type === 'list') token = lastContent((token as Tokens.List).items.at(-1)?.tokens);
  return token?.type === 'paragraph' || token?.type === 'text'
    ? (token as Tokens.Paragraph | Tokens.Text)
    : null;
}

function lastContent(tokens: readonly Token[] | undefined): Token | undefined {
  return tokens?.findLast((token) => token.type !== 'space');
}

/** The open line at the end of the tail, when appending to it cannot change the blocks around it. */
function openLine(tail: string, tokens: readonly Token[]): OpenLine | null {
  const last = tokens.at(-1);
  if (!last || tail.endsWith('\n')) return null;
  const line = tail.slice(tail.lastIndexOf('\n') + 1);
  if (last.type === 'paragraph') {
    const leaf = last as Tokens.Paragraph;
    if (!line || !leaf.text.endsWith(line) || leaf.raw !== leaf.text) return null;
    return { kind: 'inline', leaf, base: leaf.text.slice(0, -line.length), line, inList: false };
  }
  if (last.type === 'list') {
    // A list's last item has its trailing spaces trimmed; they come back if a word follows.
    const leaf = lastLeaf([last]);
    const content = listLineContent(line).trimEnd();
    if (!leaf || !content || !leaf.text.endsWith(content)) return null;
    const base = leaf.text.slice(0, leaf.text.length - content.length);
    return { kind: 'inline', leaf, base, line, inList: true };
  }
  if (last.type === 'code' && /^(`{3,}|~{3,})/.test(last.raw)) {
    const code = last as Tokens.Code;
    const base = code.text.slice(0, code.text.length - line.length);
    if (!line || !code.text.endsWith(line) || (base !== '' && !base.endsWith('\n'))) return null;
    return { kind: 'code', code, base, line };
  }
  return null;
}

/** A list line without its indentation and item markers: "  - 1. text" → "text". */
function listLineContent(line: string): string {
  return line.replace(/^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*/, '');
}

/**
 * Whether a line stays a line of paragraph text whatever is appended to it: its start rules out
 * every block that could begin on it (heading, list item, quote, fence, HTML, table row, setext
 * underline, thematic break).
 */
function isPlainTextLine(line: string, inList: boolean): boolean {
  const text = line.replace(/^ {0,3}/, '');
  if (!text || /^[ \t]/.test(text) || text.includes('|')) return false;
  const first = text[0]!;
  if ('>`~<:'.includes(first) || (inList && first === '[')) return false;
  if (first === '#') return /^#{1,6}[^#\s]/.test(text) || /^#{7}/.test(text);
  if (/\d/.test(first)) {
    return /^\d+[^\d.)]/.test(text) || /^\d{10}/.test(text) || /^\d+[.)][^ \t]/.test(text);
  }
  if ('-*+_='.includes(first)) return /[^-*+_=: \t]/.test(text) && !/^[-*+][ \t]/.test(text);
  return true;
}

/**
 * The length of the longest prefix of an inline run that no later text can re-read, or 0. Such a
 * prefix ends with a space before a word (so no line break or link can span the cut), is outside
 * brackets, and holds no delimiter still waiting for its partner: every "*", "_" and "~" that
 * could open emphasis is inside a finished token, every code span is closed by the next run of
 * backticks, and there is no escape, HTML tag or link destination.
 */
function closedPrefixLength(src: string, tokens: readonly Token[]): number {
  const starts: number[] = [];
  let end = 0;
  for (const token of tokens) {
    starts.push(end);
    end += token.raw.length;
  }
  if (end !== src.length) return 0;
  /** The type of the token holding position `at`. */
  let tokenIndex = 0;
  const tokenAt = (at: number): string => {
    while (tokenIndex + 1 < starts.length && starts[tokenIndex + 1]! <= at) tokenIndex++;
    return tokens[tokenIndex]!.type;
  };

  let best = 0;
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '`') {
      const runEnd = endOfRun(src, i);
      const closeAt = src.indexOf('`', runEnd);
      if (closeAt < 0 || endOfRun(src, closeAt) - closeAt !== runEnd - i) return best;
      if (tokenAt(i) === 'text') return best;
      i = endOfRun(src, closeAt) - 1;
    } else if (c === '\\') {
      return best;
    } else if (c === '<') {
      if (/[A-Za-z/!?]/.test(src[i + 1] ?? 'a')) return best;
    } else if (c === '[') {
      depth++;
    } else if (c === ']') {
      if (src[i + 1] === '(' || i + 1 === src.length) return best;
      if (depth > 0) depth--;
    } else if (c === '*' || c === '_' || c === '~') {
      const runEnd = endOfRun(src, i);
      if (mayOpen(src, i, runEnd)) {
        for (let at = i; at < runEnd; at++) if (tokenAt(at) === 'text') return best;
      }
      i = runEnd - 1;
    } else if (c === ' ' && depth === 0 && i > 0 && i + 1 < src.length) {
      if (!/\s/.test(src[i - 1]!) && !/\s/.test(src[i + 1]!)) {
        const type = tokenAt(i + 1);
        const inside = starts[tokenIndex]! < i + 1 && type !== 'text';
        if (!inside) best = i + 1;
      }
    }
  }
  return best;
}

function endOfRun(src: string, start: number): number {
  let end = start + 1;
  while (end < src.length && src[end] === src[start]) end++;
  return end;
}

/** Whether a run of "*", "_" or "~" could open emphasis or strikethrough if a partner came. */
function mayOpen(src: string, start: number, end: number): boolean {
  const next = src[end];
  if (next === undefined) return true;
  if (/\s/.test(next)) return false;
  const before = src[start - 1] ?? ' ';
  return !(src[start] === '_' && /[\p{L}\p{N}]/u.test(before) && /[\p{L}\p{N}]/u.test(next));
}

/**
 * Whether `prefix` (the tokens of the first `length` characters alone) matches `tokens` up to that
 * point, text runs compared as text: lexing the prefix alone read it as the whole run did.
 */
function sameTokensUpTo(
  prefix: readonly Token[],
  tokens: readonly Token[],
  length: number,
): boolean {
  const shape = (list: readonly Token[], limit: number): string[] => {
    const out: string[] = [];
    let at = 0;
    for (const token of list) {
      if (at >= limit) break;
      const raw = token.raw.slice(0, limit - at);
      at += token.raw.length;
      if (token.type === 'text' && out.at(-1)?.startsWith('text:')) out[out.length - 1] += raw;
      else out.push(`${token.type}:${raw}`);
    }
    return out;
  };
  const a = shape(prefix, length);
  const b = shape(tokens, length);
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
