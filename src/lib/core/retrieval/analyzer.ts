/**
 * The English analyzer keyword search uses for documents and questions alike: words are cut at
 * anything that is not a letter or digit, lowercased, stripped of accents and of a possessive
 * 's, stop words are dropped, and what is left is reduced to its Porter stem. This is what
 * Lucene's EnglishAnalyzer does, so BM25 figures compare with published ones (Pyserini).
 */

import { stemmer } from 'stemmer';

/** A word of the original text and the term it indexes as. */
export interface Token {
  /** The analyzed term, e.g. "retriev" for "Retrieval". */
  term: string;
  /** UTF-16 offsets of the word in the text. */
  start: number;
  end: number;
}

/** Lucene's English stop words (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'for',
  'if',
  'in',
  'into',
  'is',
  'it',
  'no',
  'not',
  'of',
  'on',
  'or',
  'such',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'was',
  'will',
  'with',
]);

// Numbers keep their decimal and thousands separators (3.5, 10,000); words keep inner
// apostrophes (don't, O'Brien); anything else separates words, as hyphens do in Lucene.
const WORD = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const NON_ASCII = /\P{ASCII}/u;
const MARKS = /\p{M}/gu;

// Stemming is the costly step and words repeat (Zipf), so each word is analyzed once. The cache
// is dropped when it gets large rather than tracked as an LRU: refilling it is cheap.
const CACHE_LIMIT = 200_000;
let cache = new Map<string, string>();

/** The term a word indexes as, or '' for a stop word. `word` is one match of the word pattern. */
export function termOf(word: string): string {
  const cached = cache.get(word);
  if (cached !== undefined) return cached;
  let term = word.toLowerCase();
  if (NON_ASCII.test(term)) term = term.normalize('NFKD').replace(MARKS, '').replace(/’/g, "'");
  if (term.endsWith("'s")) term = term.slice(0, -2);
  term = ENGLISH_STOP_WORDS.has(term) ? '' : stemmer(term);
  if (cache.size >= CACHE_LIMIT) cache = new Map();
  cache.set(word, term);
  return term;
}

/** The terms of `text`, in order, repeats included. */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  // match() is about a third faster than matchAll() here: no match objects.
  for (const word of text.match(WORD) ?? []) {
    const term = termOf(word);
    if (term) terms.push(term);
  }
  return terms;
}

/** The words of `text` that index as a term, with where they are. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const term = termOf(match[0]);
    if (term) tokens.push({ term, start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/**
 * Where the words of `text` that match any of `terms` are, as [start, end) UTF-16 offsets in
 * order, so an interface can highlight "retrieved" and "retrieval" for the term "retriev".
 */
export function matchRanges(text: string, terms: Iterable<string>): [number, number][] {
  const wanted = new Set(terms);
  if (wanted.size === 0) return [];
  return tokenize(text)
    .filter((token) => wanted.has(token.term))
    .map((token) => [token.start, token.end]);
}
