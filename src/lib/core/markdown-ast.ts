/**
 * A small, safe tree for model-written markdown: only what the renderer draws, with nothing that
 * could run or fetch. Raw HTML becomes visible text, images become their alt text, links keep an
 * http(s)/mailto address or lose it, and passage citations like [2] become their own nodes.
 */

import { Marked, type Token, type Tokens } from 'marked';
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

/** A top-level block with an id that stays the same while the answer streams. */
export type Block = BlockNode & { id: number };

/**
 * Link reference definitions are off: "[1]: Handbook" is how models list sources, and a definition
 * written late would turn earlier "[1]" citations into links, re-rendering finished blocks.
 */
export const markdownLexer = new Marked({
  gfm: true,
  tokenizer: {
    def: () => undefined,
    reflink: () => undefined,
  },
});

export function lex(markdown: string): Token[] {
  return markdownLexer.lexer(markdown);
}

/** Blocks from top-level tokens; spaces and other markup-only tokens disappear. */
export function toBlockNodes(tokens: readonly Token[]): BlockNode[] {
  const blocks: BlockNode[] = [];
  for (const token of tokens) {
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
    case 'text': {
      const t = token as Tokens.Paragraph | Tokens.Text;
      return {
        type: 'paragraph',
        children: toInlines(t.tokens ?? [{ type: 'text', raw: t.raw, text: t.text }]),
      };
    }
    case 'heading': {
      const t = token as Tokens.Heading;
      return { type: 'heading', depth: t.depth, children: toInlines(t.tokens) };
    }
    case 'code': {
      const t = token as Tokens.Code;
      return { type: 'code', lang: (t.lang ?? '').split(/\s/)[0] ?? '', text: t.text };
    }
    case 'blockquote':
      return { type: 'blockquote', children: toBlockNodes((token as Tokens.Blockquote).tokens) };
    case 'list': {
      const t = token as Tokens.List;
      const start = typeof t.start === 'number' ? t.start : 1;
      return {
        type: 'list',
        ordered: t.ordered,
        start,
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
    case 'html':
      // Shown as the text the model wrote, never parsed as HTML.
      return { type: 'paragraph', children: [{ type: 'text', text: token.raw.trim() }] };
    default:
      return token.raw.trim()
        ? { type: 'paragraph', children: [{ type: 'text', text: token.raw }] }
        : null;
  }
}

export function toInlines(tokens: readonly Token[]): Inline[] {
  const out: Inline[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case 'escape': {
        const t = token as Tokens.Text;
        if (t.tokens && t.tokens.length > 0) out.push(...toInlines(t.tokens));
        else
          out.push({
            type: 'text',
            text: token.type === 'escape' ? t.text : decodeEntities(t.text),
          });
        break;
      }
      case 'strong':
      case 'em':
      case 'del':
        out.push({ type: token.type, children: toInlines((token as Tokens.Strong).tokens) });
        break;
      case 'codespan':
        out.push({ type: 'codespan', text: decodeEntities((token as Tokens.Codespan).text) });
        break;
      case 'br':
        out.push({ type: 'br' });
        break;
      case 'link': {
        const t = token as Tokens.Link;
        out.push({ type: 'link', href: safeHref(t.href), children: toInlines(t.tokens) });
        break;
      }
      case 'image': {
        // Never loaded: an image from model output would be a request to any host.
        const t = token as Tokens.Image;
        out.push({ type: 'text', text: `[image: ${t.text}]` });
        break;
      }
      default:
        // Inline HTML ("<b>", "<img onerror=…>") and anything unknown: the source, as text.
        out.push({ type: 'text', text: token.raw });
    }
  }
  return withCitations(mergeText(out));
}

/** Adjacent text nodes joined, so a citation split across tokens ("[", "1]") is still found. */
function mergeText(nodes: Inline[]): Inline[] {
  const merged: Inline[] = [];
  for (const node of nodes) {
    const last = merged.at(-1);
    if (node.type === 'text' && last?.type === 'text') {
      merged[merged.length - 1] = { type: 'text', text: last.text + node.text };
    } else {
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
 * Uses the same rules as the citation check (core/citations.ts), so what is flagged is what is shown.
 */
export function splitCitations(text: string): Inline[] {
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

/** An address a link may point to, or null: only http(s) and mailto, never javascript: or data:. */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:'
      ? url.href
      : null;
  } catch {
    return null;
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** The few character references models write; the result is shown as text, so it stays inert. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[\da-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}
