/**
 * A small, safe tree for model-written markdown: only what the renderer draws, with nothing that
 * could run or fetch. Raw HTML becomes the text the model wrote, images become their alt text,
 * links keep an http(s)/mailto address or lose it, and passage citations like [2] are their own
 * nodes. The renderer draws this tree with Svelte elements only, never as HTML.
 */

import { Lexer, Tokenizer, getDefaults, type MarkedOptions, type Token, type Tokens } from 'marked';
import { findCitations } from './citations';

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong' | 'em' | 'del'; children: Inline[] }
  | { type: 'codespan'; text: string }
  | { type: 'br' }
  /** `href` is null when the address was not http(s) or mailto: the text is kept, not the link. */
  | { type: 'link'; href: string | null; children: Inline[] }
  | { type: 'citation'; n: number };

export type Align = 'left' | 'center' | 'right' | null;

export type BlockNode =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; depth: number; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'blockquote'; children: BlockNode[] }
  | { type: 'list'; ordered: boolean; start: number; items: BlockNode[][] }
  | { type: 'table'; align: Align[]; header: Inline[][]; rows: Inline[][][] }
  | { type: 'hr' };

/** A top-level block with an id that stays the same for as long as the answer streams. */
export type Block = BlockNode & { id: number };

class SafeTokenizer extends Tokenizer {
  // Link reference definitions and reference links are off. "[1]: Handbook, p. 3" is how models
  // list their sources, and a definition written late would turn every earlier "[1]" into a link:
  // finished blocks would change, and citations would stop being citations.
  override def(): undefined {
    return undefined;
  }

  override reflink(): undefined {
    return undefined;
  }
}

// Silent: should marked ever trip its own infinite-loop guard, it logs and stops, and the
// answer shows what was read so far instead of failing to render. The one tokenizer serves every
// lexer made from these options; that is safe because lexers here run one at a time.
const options: MarkedOptions = {
  ...getDefaults(),
  gfm: true,
  silent: true,
  tokenizer: new SafeTokenizer(),
};

type InlineRuns = Lexer['inlineQueue'];

/**
 * The block tokens of `markdown`; their inline runs are queued, not yet lexed. Should marked
 * throw (18.2.1 does on "- _\n  >2)\n5"), the text is lexed again in pieces between blank lines
 * and a piece that still fails is one run of plain text: the answer is still shown.
 */
export function lexBlocks(markdown: string): { tokens: Token[]; inline: InlineRuns } {
  const lexer = new Lexer(options);
  try {
    return { tokens: lexer.blockTokens(markdown, []), inline: lexer.inlineQueue };
  } catch {
    const tokens: Token[] = [];
    const inline: InlineRuns = [];
    for (const piece of markdown.split(/(\n[ \t]*\n)/)) {
      if (!piece) continue;
      if (/^\n[ \t]*\n$/.test(piece)) {
        tokens.push({ type: 'space', raw: piece });
        continue;
      }
      const pieceLexer = new Lexer(options);
      try {
        tokens.push(...pieceLexer.blockTokens(piece, []));
        inline.push(...pieceLexer.inlineQueue);
      } catch {
        const text: Tokens.Text = { type: 'text', raw: piece, text: piece, tokens: [] };
        tokens.push(text);
        inline.push({ src: piece, tokens: text.tokens! });
      }
    }
    return { tokens, inline };
  }
}

/**
 * The inline tokens of one run (a paragraph's text, a table cell…). Each run starts from a clean
 * state, so an unclosed "<a>" in one block cannot change how a later block is read.
 */
export function lexInline(src: string): Token[] {
  try {
    return new Lexer(options).inlineTokens(src);
  } catch {
    return [{ type: 'text', raw: src, text: src }];
  }
}

/** The blocks of a whole text at once: what a stream of the same text gives, in one go. */
export function parseMarkdown(markdown: string): BlockNode[] {
  const { tokens, inline } = lexBlocks(normalizeNewlines(markdown));
  for (const run of inline) run.tokens.push(...lexInline(run.src));
  return toBlockNodes(tokens);
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Blocks from block tokens; blank space and anything that draws nothing disappear. */
export function toBlockNodes(tokens: readonly Token[]): BlockNode[] {
  const blocks: BlockNode[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    // A task item's "[ ]" comes as its own token before the item's text; it is shown as written.
    if (token.type === 'checkbox' && (next?.type === 'text' || next?.type === 'paragraph')) {
      const text = { type: 'text', raw: token.raw, text: token.raw } satisfies Tokens.Text;
      blocks.push({ type: 'paragraph', children: toInlines([text, ...inlineTokensOf(next)]) });
      i++;
      continue;
    }
    const block = toBlockNode(token);
    if (block) blocks.push(block);
  }
  return blocks;
}

function toBlockNode(token: Token): BlockNode | null {
  switch (token.type) {
    case 'space':
    case 'def':
      return null;
    case 'paragraph':
    case 'text':
      // A tight list item's text comes as a block-level "text" token: a paragraph all the same.
      return { type: 'paragraph', children: toInlines(inlineTokensOf(token)) };
    case 'heading': {
      const t = token as Tokens.Heading;
      return { type: 'heading', depth: t.depth, children: toInlines(t.tokens) };
    }
    case 'code': {
      const t = token as Tokens.Code;
      return { type: 'code', lang: (t.lang ?? '').trim().split(/\s/)[0] ?? '', text: t.text };
    }
    case 'blockquote':
      return { type: 'blockquote', children: toBlockNodes((token as Tokens.Blockquote).tokens) };
    case 'list': {
      const t = token as Tokens.List;
      return {
        type: 'list',
        ordered: t.ordered,
        start: typeof t.start === 'number' ? t.start : 1,
        items: t.items.map((item) => toBlockNodes(item.tokens)),
      };
    }
    case 'table': {
      const t = token as Tokens.Table;
      return {
        type: 'table',
        align: t.align.map((a) => a ?? null),
        header: t.header.map((cell) => toInlines(cell.tokens)),
        rows: t.rows.map((row) => row.map((cell) => toInlines(cell.tokens))),
      };
    }
    case 'hr':
      return { type: 'hr' };
    default: {
      // Raw HTML ("<script>…", "<img onerror=…>") and anything unknown: the source, as text.
      const text = token.raw.trim();
      return text ? { type: 'paragraph', children: [{ type: 'text', text }] } : null;
    }
  }
}

function inlineTokensOf(token: Token): Token[] {
  const tokens = (token as Tokens.Paragraph | Tokens.Text).tokens;
  return tokens ?? [{ type: 'text', raw: token.raw, text: token.raw }];
}

/** Inline nodes from inline tokens, with citations found in the text. */
function toInlines(tokens: readonly Token[]): Inline[] {
  return withCitations(mergeText(convertInlines(tokens)));
}

function convertInlines(tokens: readonly Token[]): Inline[] {
  const out: Inline[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'text': {
        const t = token as Tokens.Text;
        // The raw source, not `text`: marked's text is meant for HTML and may have had its
        // ampersands escaped. Character references are decoded here, once.
        if (t.tokens && t.tokens.length > 0) out.push(...convertInlines(t.tokens));
        else out.push({ type: 'text', text: decodeEntities(t.raw) });
        break;
      }
      case 'escape':
        out.push({ type: 'text', text: (token as Tokens.Escape).text });
        break;
      case 'strong':
      case 'em':
      case 'del':
        out.push({ type: token.type, children: toInlines((token as Tokens.Strong).tokens) });
        break;
      case 'codespan':
        // Code is literal: "&amp;" in code is five characters.
        out.push({ type: 'codespan', text: (token as Tokens.Codespan).text });
        break;
      case 'br':
        out.push({ type: 'br' });
        break;
      case 'link': {
        const t = token as Tokens.Link;
        // No citations inside a link: a button inside an anchor is not a thing one can click.
        const children = mergeText(convertInlines(t.tokens));
        out.push({ type: 'link', href: safeHref(decodeEntities(t.href)), children });
        break;
      }
      case 'image':
        // Never loaded: an image in model output would be a request to any host it names.
        out.push({
          type: 'text',
          text: `[image: ${decodeEntities((token as Tokens.Image).text)}]`,
        });
        break;
      default:
        // Inline HTML ("<b>", "<img src=x onerror=…>"), task checkboxes, anything unknown.
        out.push({ type: 'text', text: token.raw });
    }
  }
  return out;
}

/** Adjacent text nodes joined, so a citation split across tokens ("[", "1]") is still found. */
function mergeText(nodes: Inline[]): Inline[] {
  const merged: Inline[] = [];
  for (const node of nodes) {
    const last = merged.at(-1);
    if (node.type === 'text' && last?.type === 'text') {
      merged[merged.length - 1] = { type: 'text', text: last.text + node.text };
    } else if (node.type !== 'text' || node.text) {
      merged.push(node);
    }
  }
  return merged;
}

function withCitations(nodes: Inline[]): Inline[] {
  return nodes.flatMap((node) => (node.type === 'text' ? splitCitations(node.text) : [node]));
}

/**
 * Text with its citations as separate nodes: "as stated [1, 2]." → text, [1], [2], text.
 * The rules are the citation check's (core/answers/citations.ts), so what is flagged is what is shown:
 * "[1]", "[1, 3]", "[1][2]", "[1-3]", "[ 1 ]" and "[0]" are citations (0 names no passage and is
 * shown as such); "[a]", "[12x]", "[1.5]", "[2024]", "[1](url)" are not.
 */
export function splitCitations(text: string): Inline[] {
  if (!/[[【［]/.test(text)) return text ? [{ type: 'text', text }] : [];
  const out: Inline[] = [];
  let at = 0;
  for (const match of findCitations(text)) {
    if (match.start > at) out.push({ type: 'text', text: text.slice(at, match.start) });
    for (const n of match.numbers) out.push({ type: 'citation', n });
    at = match.end;
  }
  if (at < text.length) out.push({ type: 'text', text: text.slice(at) });
  return out;
}

/** The address a link may point to, or null: only absolute http(s) and mailto addresses. */
export function safeHref(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const allowed =
    url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:';
  return allowed ? url.href : null;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** The character references models write; others stay as written. The result is only text. */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][\da-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
    const hex = name[1] === 'x' || name[1] === 'X';
    const code = Number.parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10);
    const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return valid ? String.fromCodePoint(code) : '\ufffd';
  });
}
