/**
 * A retrieved passage of a Markdown document, drawn as Markdown with its highlights: the
 * question's keywords and an answer sentence's evidence are character ranges of the passage's
 * text, and the Markdown tree (core/answers/markdown-ast.ts, the renderer answers use: nothing in
 * it can run or fetch) holds the text without its markup. Each piece of text in the tree is found
 * again in the passage, in order, so every drawn character knows its offset and whether a
 * highlight covers it. Text the tree changed (a character reference, an escape) is found
 * character by character; a character not found is drawn without a highlight.
 */

import { findCitations } from '../answers/citations';
import { parseMarkdown, type Align, type BlockNode, type Inline } from '../answers/markdown-ast';

/** A run of drawn text under the same highlights. */
export interface Span {
  text: string;
  /** One of the question's keywords. */
  match: boolean;
  /** Part of the selected answer sentence's closest evidence. */
  evidence: boolean;
}

export type PassageInline =
  | { type: 'text'; spans: Span[] }
  | { type: 'strong' | 'em' | 'del'; children: PassageInline[] }
  | { type: 'codespan'; spans: Span[] }
  | { type: 'br' }
  | { type: 'link'; href: string | null; children: PassageInline[] };

export type PassageBlock =
  | { type: 'paragraph'; children: PassageInline[] }
  | { type: 'heading'; depth: number; children: PassageInline[] }
  | { type: 'code'; spans: Span[] }
  | { type: 'blockquote'; children: PassageBlock[] }
  | { type: 'list'; ordered: boolean; start: number; items: PassageBlock[][] }
  | { type: 'table'; align: Align[]; header: PassageInline[][]; rows: PassageInline[][][] }
  | { type: 'hr' };

export interface PassageHighlights {
  /** The keywords' [start, end) offsets in the passage's text. */
  matches: readonly (readonly [number, number])[];
  evidence: { start: number; end: number } | null;
}

const MATCH = 1;
const EVIDENCE = 2;
/** How far past the last placed character a changed character is looked for. */
const NEARBY = 12;

/** `text` as Markdown, each piece of its text with the highlights that cover it. */
export function passageMarkdown(text: string, highlights: PassageHighlights): PassageBlock[] {
  const { source, flags } = normalized(text, highlights);
  return new Placer(source, flags).blocks(parseMarkdown(text));
}

/**
 * The text as the Markdown reader sees it (line breaks as "\n": core/answers normalizeNewlines)
 * and, for each of its characters, the highlights over the character it came from.
 */
function normalized(
  text: string,
  { matches, evidence }: PassageHighlights,
): { source: string; flags: Uint8Array } {
  const original = new Uint8Array(text.length);
  for (const [start, end] of matches) original.fill(MATCH, start, end);
  if (evidence) {
    for (let i = evidence.start; i < evidence.end && i < text.length; i++) original[i]! |= EVIDENCE;
  }
  let source = '';
  const flags: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') continue;
    source += text[i] === '\r' ? '\n' : text[i];
    flags.push(original[i]!);
  }
  return { source, flags: Uint8Array.from(flags) };
}

/** Walks the tree in reading order, finding each piece of text in the passage after the last. */
class Placer {
  #at = 0;
  constructor(
    private readonly source: string,
    private readonly flags: Uint8Array,
  ) {}

  blocks(nodes: readonly BlockNode[]): PassageBlock[] {
    return nodes.map((node) => this.block(node));
  }

  block(node: BlockNode): PassageBlock {
    switch (node.type) {
      case 'paragraph':
      case 'heading':
        return { ...node, children: this.inlines(node.children) };
      case 'code':
        return { type: 'code', spans: this.spans(node.text) };
      case 'blockquote':
        return { type: 'blockquote', children: this.blocks(node.children) };
      case 'list':
        return { ...node, items: node.items.map((item) => this.blocks(item)) };
      case 'table':
        return {
          type: 'table',
          align: node.align,
          header: node.header.map((cell) => this.inlines(cell)),
          rows: node.rows.map((row) => row.map((cell) => this.inlines(cell))),
        };
      case 'hr':
        return node;
    }
  }

  inlines(nodes: readonly Inline[]): PassageInline[] {
    const out: PassageInline[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      switch (node.type) {
        case 'text':
          out.push({ type: 'text', spans: this.spans(node.text) });
          break;
        case 'codespan':
          out.push({ type: 'codespan', spans: this.spans(node.text) });
          break;
        case 'strong':
        case 'em':
        case 'del':
          out.push({ type: node.type, children: this.inlines(node.children) });
          break;
        case 'link':
          out.push({ type: 'link', href: node.href, children: this.inlines(node.children) });
          break;
        case 'br':
          out.push(node);
          break;
        case 'citation': {
          // A document's "[2]" is its own text, not a citation: drawn as written.
          let count = 1;
          while (nodes[i + count]?.type === 'citation') count++;
          out.push({ type: 'text', spans: this.citations(nodes.slice(i, i + count)) });
          i += count - 1;
          break;
        }
      }
    }
    return out;
  }

  /** The source of consecutive citation nodes ("[1, 2]" is two), placed. */
  citations(nodes: readonly Inline[]): Span[] {
    let numbers = 0;
    let start = -1;
    let end = this.#at;
    for (const match of findCitations(this.source.slice(this.#at))) {
      if (start === -1) start = this.#at + match.start;
      end = this.#at + match.end;
      numbers += match.numbers.length;
      if (numbers >= nodes.length) break;
    }
    if (start === -1 || numbers < nodes.length) {
      const written = nodes.map((n) => (n.type === 'citation' ? `[${n.n}]` : '')).join('');
      return [{ text: written, match: false, evidence: false }];
    }
    this.#at = end;
    return this.runs(this.source.slice(start, end), (i) => this.flags[start + i]!);
  }

  /** `text`, found in the passage from where the last piece ended, cut where highlights change. */
  spans(text: string): Span[] {
    const at = this.source.indexOf(text, this.#at);
    if (at !== -1) {
      this.#at = at + text.length;
      return this.runs(text, (i) => this.flags[at + i]!);
    }
    // Changed by the reader: each character near where the last one was found, or unplaced.
    const found: number[] = [];
    for (const char of text) {
      const near = this.source.indexOf(char, this.#at);
      const placed = near !== -1 && near - this.#at <= NEARBY;
      if (placed) this.#at = near + char.length;
      for (let k = 0; k < char.length; k++) found.push(placed ? this.flags[near + k]! : 0);
    }
    return this.runs(text, (i) => found[i]!);
  }

  runs(text: string, flagAt: (i: number) => number): Span[] {
    const spans: Span[] = [];
    let from = 0;
    for (let i = 1; i <= text.length; i++) {
      if (i < text.length && flagAt(i) === flagAt(from)) continue;
      const flag = flagAt(from);
      spans.push({
        text: text.slice(from, i),
        match: (flag & MATCH) !== 0,
        evidence: (flag & EVIDENCE) !== 0,
      });
      from = i;
    }
    return spans;
  }
}
