/**
 * Markdown that arrives a few characters at a time, as blocks that Svelte can key by id.
 *
 * Contract: after every append, `blocks` equals `parseMarkdown` of all the text so far, plus ids
 * (a final "\r" waits for the next delta, in case it is half of a "\r\n"). A block becomes stable
 * once nothing appended later can change it; from then on it is the same object with the same id
 * and is never lexed again. The rest (the tail) is lexed again only when a line ends or when the
 * start of a line could still open a block, and an open list only from its last item. Characters
 * added to the last line of a paragraph, list item or fenced code block go straight in, and of
 * that line's inline run only the part that later text could still change is lexed again.
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

/** Where appended text can go without lexing the tail's blocks again. */
type OpenEnd =
  | {
      kind: 'line';
      /** The paragraph or list item text that the tail's last line ends. */
      leaf: Tokens.Paragraph | Tokens.Text;
      /** The leaf's text before the last line's part of it. */
      base: string;
      line: string;
      inList: boolean;
    }
  | {
      /** An unclosed fenced code block at the end: lines go in until one may be its fence. */
      kind: 'code';
      code: Tokens.Code;
      /** The source after the opening fence line. */
      body: string;
    };

export class MarkdownStream {
  /** Characters handed to marked's lexer since the last reset: the work done, for tests. */
  charsLexed = 0;

  #stable: Block[] = [];
  /** The text after the stable blocks. */
  #tail = '';
  #tailTokens: Token[] = [];
  /** Each tail token's offset in the tail. */
  #tailStarts: number[] = [];
  #tailBlocks: Block[] = [];
  /** Each tail block's source (see sourceKey), or null once appended text has changed it. */
  #tailKeys: (string | null)[] = [];
  #blocks: Block[] = [];
  /** The id of the first tail block; ids follow the blocks' order. */
  #nextId = 0;
  #heldCarriageReturn = false;
  #open: OpenEnd | null = null;
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
    this.#tailStarts = [];
    this.#tailBlocks = [];
    this.#tailKeys = [];
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
    if (!this.#extendOpenEnd(text)) this.#lexTail();
  }

  #lexTail(): void {
    const { tokens, inline } = this.#lexTailBlocks();
    const leaf = lastLeaf(tokens);
    const memo = new Map<string, Token[]>();
    for (const run of inline) {
      const known =
        memo.get(run.src) ??
        this.#inlineMemo.get(run.src) ??
        (run.tokens === leaf?.tokens ? this.#lexOpenRun(run.src) : this.#lexInline(run.src));
      memo.set(run.src, known);
      run.tokens.push(...known);
    }
    this.#inlineMemo = memo;

    const starts = tokenStarts(tokens, this.#tail);
    const open = starts ? firstOpenToken(tokens, starts, this.#tail) : 0;
    const blocks: Block[] = [];
    const keys: (string | null)[] = [];
    let stableCount = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const [node] = toBlockNodes([token]);
      if (!node) continue;
      const index = blocks.length;
      const previous = this.#tailBlocks[index];
      // The same source gives the same block: keep the object so its DOM is left alone.
      const key = sourceKey(token);
      const block =
        previous && this.#tailKeys[index] === key ? previous : withId(node, this.#nextId + index);
      blocks.push(block);
      keys.push(key);
      if (i < open) stableCount++;
    }
    const cut = starts?.[open] ?? 0;
    if (open > 0) {
      this.#stable.push(...blocks.splice(0, stableCount));
      keys.splice(0, stableCount);
      this.#nextId += stableCount;
      this.#tail = this.#tail.slice(cut);
    }
    this.#tailTokens = tokens.slice(open);
    this.#tailStarts = starts ? starts.slice(open).map((start) => start - cut) : [];
    this.#tailBlocks = blocks;
    this.#tailKeys = keys;
    this.#blocks = this.#stable.concat(blocks);
    this.#open = starts ? openEnd(this.#tail, this.#tailTokens) : null;
  }

  /**
   * The tail's block tokens, with the inline runs still to lex. A list at the end is lexed again
   * only from its last item: the items before it cannot change, since a new item line ended them.
   */
  #lexTailBlocks(): ReturnType<typeof lexBlocks> {
    const tokens = this.#tailTokens;
    const listIndex = tokens.findLastIndex((token) => token.type !== 'space');
    const list = tokens[listIndex];
    const listStart = this.#tailStarts[listIndex];
    if (
      list?.type === 'list' &&
      (list as Tokens.List).items.length > 1 &&
      listStart !== undefined
    ) {
      const { items, ordered } = list as Tokens.List;
      let lastItemStart = listStart;
      for (const item of items.slice(0, -1)) lastItemStart += item.raw.length;
      if (this.#tail.startsWith(items.at(-1)!.raw, lastItemStart)) {
        const src = this.#tail.slice(lastItemStart);
        this.charsLexed += src.length;
        const rest = lexBlocks(src);
        const first = rest.tokens[0];
        if (first?.type === 'list' && (first as Tokens.List).ordered === ordered) {
          const merged: Tokens.List = {
            ...(list as Tokens.List),
            raw: this.#tail.slice(listStart, lastItemStart) + first.raw,
            items: items.slice(0, -1).concat((first as Tokens.List).items),
          };
          const all = tokens.slice(0, listIndex).concat(merged, rest.tokens.slice(1));
          return { tokens: all, inline: rest.inline };
        }
      }
    }
    this.charsLexed += this.#tail.length;
    return lexBlocks(this.#tail);
  }

  /** Adds appended `text` to the open end; false when the tail must be lexed again. */
  #extendOpenEnd(text: string): boolean {
    const open = this.#open;
    if (!open) return false;
    if (open.kind === 'code') {
      // Only a closing fence ends the block, and only a line starting like a fence may be one.
      const lines = (open.body.slice(open.body.lastIndexOf('\n') + 1) + text).split('\n');
      if (lines.some((line) => /^ {0,3}[`~]/.test(line))) return false;
      open.body += text;
      open.code.text = codeText(open.body);
    } else {
      if (text.includes('\n')) return false;
      const line = open.line + text;
      if (open.inList) {
        const content = listLineContent(line);
        if (content !== listLineContent(open.line) + text || !isPlainTextLine(content, true)) {
          return false;
        }
        this.#setLeafText(open.leaf, open.base + content.trimEnd());
      } else {
        if (!isPlainTextLine(line, false)) return false;
        this.#setLeafText(open.leaf, open.base + line);
      }
      open.line = line;
    }

    const [node] = toBlockNodes([this.#tailTokens.at(-1)!]);
    const index = this.#tailBlocks.length - 1;
    if (!node || index < 0) return false;
    this.#tailBlocks[index] = withId(node, this.#nextId + index);
    this.#tailKeys[index] = null;
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
    // The closed part holds for any run that starts with it and goes on with a non-space (as
    // the run it was cut from did): spaces after it could join its final space into a line break.
    const after = src[this.#closed.src.length];
    if (!src.startsWith(this.#closed.src) || (after !== undefined && /\s/.test(after))) {
      this.#closed = { src: '', tokens: [] };
    }
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

/**
 * What a block is read from: its source and, where it has one, its text. The text is not always
 * a function of the source (marked folds an indented line into a paragraph differently after some
 * blocks), and the same source with a different text is a different block.
 */
function sourceKey(token: Token): string {
  const text = (token as { text?: unknown }).text;
  return typeof text === 'string' ? `${token.raw}\u0000${text}` : token.raw;
}

function withId(node: BlockNode, id: number): Block {
  return { ...node, id };
}

/**
 * Each token's offset in `src`, or null when the tokens' lengths do not add up to it. (Lengths,
 * not text: marked records a lone trailing space after a block as a line break.)
 */
function tokenStarts(tokens: readonly Token[], src: string): number[] | null {
  const starts: number[] = [];
  let at = 0;
  for (const token of tokens) {
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
  // A heading's last line and a thematic break have ended; so has a closed code fence.
  if (previous.type === 'heading') return true;
  if (previous.type === 'hr') return true;
  if (previous.type === 'code' && /^ {0,3}(`{3,}|~{3,})/.test(previous.raw)) return true;
  // A paragraph ends where a list, heading, quote or fence interrupts it.
  if (previous.type === 'paragraph') {
    // Only items that interrupt a paragraph, with a space after the marker and no "|": a setext
    // underline can still pull other numbers, or a marker and a tab, into a heading, and "- |"
    // is also a table's delimiter row until more of it is written.
    if (next.type === 'list' && /^ {0,3}([-*+]|1[.)]) [ \t]*\S/.test(line)) {
      return !line.includes('|');
    }
    // Only an ATX heading: a setext underline may yet turn back into paragraph text.
    if (next.type === 'heading' && /^ {0,3}#{1,6}([ \t]|$)/.test(line)) {
      return lineIsComplete || /^ {0,3}#{1,6}[ \t]/.test(line);
    }
    if (next.type === 'blockquote' && /^ {0,3}>/.test(line)) return true;
    const interrupts = ['code', 'hr', 'html'];
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

/** The open end of the tail, when appending to it cannot change the blocks before it. */
function openEnd(tail: string, tokens: readonly Token[]): OpenEnd | null {
  const last = tokens.at(-1);
  if (!last) return null;
  if (last.type === 'code' && /^(`{3,}|~{3,})[^\n]*\n/.test(last.raw)) {
    const code = last as Tokens.Code;
    const body = last.raw.slice(last.raw.indexOf('\n') + 1);
    const lastLine = body.slice(body.lastIndexOf('\n') + 1);
    // Equal only while the block is unclosed and its fence is not indented.
    if (code.text !== codeText(body) || /^ {0,3}[`~]/.test(lastLine)) return null;
    return { kind: 'code', code, body };
  }
  if (tail.endsWith('\n')) return null;
  const line = tail.slice(tail.lastIndexOf('\n') + 1);
  if (last.type === 'paragraph') {
    const leaf = last as Tokens.Paragraph;
    // The line must already be plain: one that is not may be shaping the lines before it.
    if (!isPlainTextLine(line, false) || !leaf.text.endsWith(line) || leaf.raw !== leaf.text) {
      return null;
    }
    return { kind: 'line', leaf, base: leaf.text.slice(0, -line.length), line, inList: false };
  }
  if (last.type === 'list') {
    // A list's last item has its trailing spaces trimmed; they come back if a word follows.
    const leaf = lastLeaf([last]);
    const content = listLineContent(line).trimEnd();
    if (!leaf || !isPlainTextLine(content, true) || !leaf.text.endsWith(content)) return null;
    const base = leaf.text.slice(0, leaf.text.length - content.length);
    return { kind: 'line', leaf, base, line, inList: true };
  }
  return null;
}

/**
 * An unclosed fenced block's text, as marked reads it: all after the fence line, less one final
 * line break, with the break put back when the text is empty or ends with another.
 */
function codeText(body: string): string {
  if (!body) return '';
  const text = body.endsWith('\n') ? body.slice(0, -1) : body;
  return text === '' || text.endsWith('\n') ? text + '\n' : text;
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
  /** The index of the token holding position `at` (positions asked in increasing order). */
  let tokenIndex = 0;
  const tokenAt = (at: number): number => {
    while (tokenIndex + 1 < tokens.length && starts[tokenIndex + 1]! <= at) tokenIndex++;
    return tokenIndex;
  };
  starts.push(end);
  const literal = literalPositions(src, tokens);

  let best = 0;
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '`') {
      // The next run of backticks must close this one, inside one code span (or one emphasis
      // holding the whole span): masking and code spans then pair the same runs, whatever follows.
      const runEnd = endOfRun(src, i);
      const closeAt = src.indexOf('`', runEnd);
      if (closeAt < 0 || endOfRun(src, closeAt) - closeAt !== runEnd - i) return best;
      const closeEnd = endOfRun(src, closeAt);
      const t = tokenAt(i);
      const type = tokens[t]!.type;
      const wraps = type === 'strong' || type === 'em' || type === 'del';
      const exact = type === 'codespan' && starts[t] === i && starts[t + 1] === closeEnd;
      if (!exact && !(wraps && closeEnd <= starts[t + 1]!)) return best;
      i = closeEnd - 1;
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
      if (mayOpen(src, i, runEnd) && literal.subarray(i, runEnd).includes(1)) return best;
      i = runEnd - 1;
    } else if (c === ' ' && depth === 0 && i > 0 && i + 1 < src.length) {
      if (!/\s/.test(src[i - 1]!) && !/\s/.test(src[i + 1]!)) {
        const t = tokenAt(i + 1);
        if (starts[t] === i + 1 || tokens[t]!.type === 'text') best = i + 1;
      }
    }
  }
  return best;
}

/**
 * Which characters of `src` its tokens leave as plain text, at any depth: a delimiter left as
 * text inside emphasis may still pair with one written later and re-read the emphasis around it.
 */
function literalPositions(src: string, tokens: readonly Token[]): Uint8Array {
  const literal = new Uint8Array(src.length);
  const mark = (list: readonly Token[], from: number): void => {
    let at = from;
    for (const token of list) {
      if (token.type === 'text') {
        literal.fill(1, at, at + token.raw.length);
      } else if (token.type === 'em' || token.type === 'strong' || token.type === 'del') {
        const t = token as Tokens.Em;
        mark(t.tokens, at + (t.raw.length - t.text.length) / 2);
      }
      at += token.raw.length;
    }
  };
  mark(tokens, 0);
  return literal;
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
