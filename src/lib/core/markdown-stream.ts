/**
 * Markdown that arrives a few characters at a time. Finished blocks are parsed once and kept
 * (same objects, same ids), and only the block still being written is parsed again on each
 * append, so the work per append is bounded by the last block's length, not the answer's.
 */

import { lex, toBlockNodes, type Block } from './markdown-ast';
import type { Token } from 'marked';

export class MarkdownStream {
  #stable: Block[] = [];
  /** Text not yet in a stable block: the last block, and any blank lines before it. */
  #tail = '';
  #tailBlocks: Block[] = [];
  #nextId = 0;
  /** Characters handed to the lexer so far (to check the work stays linear). */
  charsLexed = 0;

  get blocks(): Block[] {
    return this.#tailBlocks.length === 0 ? this.#stable : [...this.#stable, ...this.#tailBlocks];
  }

  reset(): void {
    this.#stable = [];
    this.#tail = '';
    this.#tailBlocks = [];
    this.#nextId = 0;
    this.charsLexed = 0;
  }

  append(delta: string): void {
    if (!delta) return;
    this.#tail += delta.replace(/\r\n?/g, '\n');
    this.charsLexed += this.#tail.length;
    const tokens = lex(this.#tail);
    // Every block but the last is finished: text after it has started a new block, and nothing
    // appended later can reach back past that (link definitions, which could, are off).
    const last = lastContentIndex(tokens);
    let consumed = 0;
    const finished: Token[] = [];
    for (let i = 0; i < last; i++) {
      consumed += tokens[i]!.raw.length;
      finished.push(tokens[i]!);
    }
    if (finished.length > 0 && this.#tail.startsWith(finished.map((t) => t.raw).join(''))) {
      for (const node of toBlockNodes(finished)) this.#stable.push({ ...node, id: this.#nextId++ });
      this.#tail = this.#tail.slice(consumed);
      this.#tailBlocks = this.#withIds(toBlockNodes(tokens.slice(last)));
    } else {
      this.#tailBlocks = this.#withIds(toBlockNodes(tokens));
    }
  }

  #withIds(nodes: ReturnType<typeof toBlockNodes>): Block[] {
    return nodes.map((node, i) => ({ ...node, id: this.#nextId + i }));
  }
}

/** Index of the last token that is not blank space, or 0. */
function lastContentIndex(tokens: readonly Token[]): number {
  for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i]!.type !== 'space') return i;
  return 0;
}

/** The blocks of a whole text at once, as the stream gives them at the end. */
export function parseMarkdown(markdown: string): Block[] {
  const stream = new MarkdownStream();
  stream.append(markdown);
  return stream.blocks;
}
