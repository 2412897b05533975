/**
 * Fact matching: whether an answer states what a correct answer must contain, and where.
 *
 * The answer and every fact are read as a sequence of words and numbers, normalised alike on both
 * sides, and a fact is found when its sequence appears in the answer's, consecutively and whole:
 *
 * - Case and accents: "Café" = "cafe".
 * - Punctuation, symbols and whitespace only separate words: "E-214" = "E 214", "**30 weeks**" =
 *   "30 weeks", "°C" = "C". Letters and digits written together are separate words too: "K20X" =
 *   "K-20X" = "K 20 X".
 * - Whole words only: "30" is not in "300", "4,300" or "30.5"; "week" is not in "weekday".
 * - A final "s" on a word of four letters or more (not "ss", "us" or "is"): "weeks" = "week", so
 *   "a 30-week leave" states "30 weeks".
 * - Thousands separators: "4,500" = "4 500" = "4500" (comma, space, no-break or thin space
 *   between groups of three digits). A decimal point is kept, so "0.5" ≠ "5" and "4.1.1" is one
 *   number; a decimal comma ("0,5") is read as two numbers.
 * - Number words: "thirty" = "30", "twenty-five" = "25", "one hundred and five" = "105",
 *   "twelve hundred" = "1200", "a hundred" = "100", "a dozen" = "12", "4 thousand" = "4000",
 *   "1.5 million" = "1500000". Ordinals written with digits are numbers ("3rd" = "3"); ordinal
 *   words are not ("second" is as often a unit of time).
 * - Percent: "%" = "percent" = "per cent".
 * - Currencies read as their name after the amount: "€60" = "60 euros" = "EUR 60" = "60 €", but
 *   ≠ "$60". A fact "60" is found in all of them.
 * - A minus sign before a number is the word "minus": "−70 °C" = "-70°C" = "minus 70 C", and a
 *   fact "−70 °C" is not found in "70 °C".
 * - Citations ("[1]", "[1, 2]", see ../answers/citations.ts) are not words of the answer.
 *
 * Written for English answers; other languages match on case, accents and punctuation only.
 */

import { findCitations } from '../answers/citations';
import type { Fact } from './questions';

/** UTF-16 offsets into a text: text.slice(start, end) is the part meant. */
export interface TextRange {
  start: number;
  end: number;
}

/** One fact, looked for in one answer. */
export interface FactMatch {
  fact: Fact;
  found: boolean;
  /** The first of the fact's alternatives, in the fact's order, that the answer states. */
  alternative: string | null;
  /**
   * Where the answer states it: every occurrence of any alternative, in text order, overlapping
   * ones merged. Empty when not found.
   */
  ranges: TextRange[];
}

/** A part of a text, marked when a found fact lies in it. */
export interface TextSegment {
  text: string;
  highlighted: boolean;
}

interface Token {
  /** The normalised word or number. */
  text: string;
  start: number;
  end: number;
  kind: 'word' | 'number' | 'currency' | 'sign';
}

/** "thirty-five weeks, €4,500 (−70 °C)!" → "35 week 4500 euro minus 70 c": what matching compares. */
export function normaliseForMatching(text: string): string {
  return tokenise(text)
    .map((token) => token.text)
    .join(' ');
}

/** Whether `answer` states `fact` (any of its alternatives), and where. */
export function matchFact(answer: string, fact: Fact): FactMatch {
  return matchTokens(tokenise(answer), fact);
}

/** matchFact for each fact, in the facts' order; the answer is read once. */
export function matchFacts(answer: string, facts: readonly Fact[]): FactMatch[] {
  const tokens = tokenise(answer);
  return facts.map((fact) => matchTokens(tokens, fact));
}

/**
 * `text` cut into consecutive segments, highlighted where any of `ranges` lies (ranges may
 * overlap and come in any order). Joining the segments' text gives `text` back.
 */
export function highlightSegments(text: string, ranges: readonly TextRange[]): TextSegment[] {
  const segments: TextSegment[] = [];
  let at = 0;
  for (const range of mergeRanges(ranges)) {
    const start = Math.max(at, Math.min(range.start, text.length));
    const end = Math.min(range.end, text.length);
    if (end <= start) continue;
    if (start > at) segments.push({ text: text.slice(at, start), highlighted: false });
    segments.push({ text: text.slice(start, end), highlighted: true });
    at = end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), highlighted: false });
  return segments;
}

function matchTokens(answer: readonly Token[], fact: Fact): FactMatch {
  let alternative: string | null = null;
  const ranges: TextRange[] = [];
  for (const candidate of fact) {
    const wanted = tokenise(candidate).map((token) => token.text);
    const found = occurrences(answer, wanted);
    if (found.length > 0 && alternative === null) alternative = candidate;
    ranges.push(...found);
  }
  return { fact, found: alternative !== null, alternative, ranges: mergeRanges(ranges) };
}

/** Every place `wanted` appears in `tokens` as consecutive tokens; never for an empty `wanted`. */
function occurrences(tokens: readonly Token[], wanted: readonly string[]): TextRange[] {
  const found: TextRange[] = [];
  if (wanted.length === 0) return found;
  for (let i = 0; i + wanted.length <= tokens.length; i++) {
    if (!wanted.every((text, j) => tokens[i + j]!.text === text)) continue;
    // Reordered currencies ("€60" → 60 euro) make the first token not always the leftmost.
    const span = tokens.slice(i, i + wanted.length);
    found.push({
      start: Math.min(...span.map((t) => t.start)),
      end: Math.max(...span.map((t) => t.end)),
    });
  }
  return found;
}

function mergeRanges(ranges: readonly TextRange[]): TextRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: TextRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

// --- Reading text into tokens -------------------------------------------------------------

const GROUP_SPACES = ',\u00a0\u202f\u2009 ';
const RAW_TOKEN = new RegExp(
  [
    // A minus sign: not inside a word ("E-214", "10-20"), and right before a digit.
    String.raw`(?<sign>(?<![\p{L}\p{N}])[-\u2212](?=\d))`,
    // Digits in groups of three: "4,500", "4 500", "1,250,000.75"; never "4,5000".
    String.raw`(?<grouped>\d{1,3}(?:[${GROUP_SPACES}]\d{3})+(?:\.\d+)?(?!\d))`,
    String.raw`(?<number>\d+(?:\.\d+)*)`,
    String.raw`(?<percent>%)`,
    String.raw`(?<currency>[€$£¥])`,
    // Letters, marks and digits other than 0-9 ("²", "٣"): ASCII digits start a number instead.
    String.raw`(?<word>(?:(?![0-9])[\p{L}\p{M}\p{N}])+)`,
  ].join('|'),
  'gu',
);
const GROUP_SEPARATORS = new RegExp(`[${GROUP_SPACES}]`, 'g');

const CURRENCIES: Readonly<Record<string, string>> = {
  '€': 'euro',
  eur: 'euro',
  euro: 'euro',
  euros: 'euro',
  $: 'dollar',
  usd: 'dollar',
  dollar: 'dollar',
  dollars: 'dollar',
  '£': 'pound',
  gbp: 'pound',
  '¥': 'yen',
  jpy: 'yen',
  yen: 'yen',
};

const ORDINAL_SUFFIXES = new Set(['st', 'nd', 'rd', 'th']);

function tokenise(text: string): Token[] {
  const citations = findCitations(text);
  const inCitation = (index: number) => citations.some((c) => index >= c.start && index < c.end);
  const raw: Token[] = [];
  for (const match of text.matchAll(RAW_TOKEN)) {
    const start = match.index;
    if (inCitation(start)) continue;
    const end = start + match[0].length;
    const groups = match.groups!;
    if (groups.sign) raw.push({ text: 'minus', start, end, kind: 'sign' });
    else if (groups.grouped)
      raw.push({ text: groups.grouped.replace(GROUP_SEPARATORS, ''), start, end, kind: 'number' });
    else if (groups.number) raw.push({ text: groups.number, start, end, kind: 'number' });
    else if (groups.percent) raw.push({ text: 'percent', start, end, kind: 'word' });
    else if (groups.currency)
      raw.push({ text: CURRENCIES[groups.currency]!, start, end, kind: 'currency' });
    else raw.push({ text: foldWord(match[0]), start, end, kind: 'word' });
  }
  const tokens = readCurrencies(text, readNumberWords(text, dropOrdinalSuffixes(raw)));
  for (const token of tokens) if (token.kind === 'word') token.text = singular(token.text);
  return tokens;
}

function foldWord(word: string): string {
  return word.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
}

/** "weeks" → "week"; short words and "-ss", "-us", "-is" words are left alone ("yes", "class", "minus", "basis"). */
function singular(word: string): string {
  return word.length >= 4 && /[^sui]s$/.test(word) ? word.slice(0, -1) : word;
}

function isInteger(token: Token | undefined): boolean {
  return token?.kind === 'number' && /^\d+$/.test(token.text);
}

/** "24th" → 24: the suffix, written against the digits, goes into the number. */
function dropOrdinalSuffixes(tokens: Token[]): Token[] {
  const kept: Token[] = [];
  for (const token of tokens) {
    const previous = kept.at(-1);
    if (
      token.kind === 'word' &&
      ORDINAL_SUFFIXES.has(token.text) &&
      isInteger(previous) &&
      previous!.end === token.start
    ) {
      previous!.end = token.end;
    } else {
      kept.push(token);
    }
  }
  return kept;
}

/** Currency words and codes by name, and an amount's currency after it: "EUR 60" → 60 euro. */
function readCurrencies(text: string, tokens: Token[]): Token[] {
  for (const token of tokens) {
    const name = token.kind === 'word' ? CURRENCIES[token.text] : undefined;
    if (name) {
      token.text = name;
      token.kind = 'currency';
    }
  }
  for (let i = 0; i + 1 < tokens.length; i++) {
    const [current, next] = [tokens[i]!, tokens[i + 1]!];
    if (current.kind === 'currency' && next.kind === 'number' && joined(text, current, next)) {
      tokens[i] = next;
      tokens[i + 1] = current;
      i++;
    }
  }
  return tokens;
}

const UNITS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
};
const TEENS: Readonly<Record<string, number>> = {
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Readonly<Record<string, number>> = {
  thousand: 1e3,
  million: 1e6,
  billion: 1e9,
};
/** Words that multiply the number before them: "a hundred", "4 thousand", "two dozen". */
const MULTIPLIERS: Readonly<Record<string, number>> = { hundred: 100, dozen: 12, ...SCALES };

/** Tokens that make one number only when nothing but spaces or hyphens lies between them. */
function joined(text: string, left: Token, right: Token): boolean {
  return /^[\s\-\u2010\u2011]*$/u.test(text.slice(left.end, right.start));
}

/**
 * Number words and multiplied numbers made into one number token each: "twenty-five" → 25,
 * "a dozen" → 12, "1.5 million" → 1500000, "per cent" → percent.
 */
function readNumberWords(text: string, tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length;) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    const adjoining = next !== undefined && joined(text, token, next);
    if (token.text === 'per' && adjoining && next.text === 'cent') {
      out.push({ text: 'percent', start: token.start, end: next.end, kind: 'word' });
      i += 2;
      continue;
    }
    if (token.kind === 'number' && adjoining && MULTIPLIERS[next.text] !== undefined) {
      const value = roundOff(Number(token.text) * MULTIPLIERS[next.text]!);
      if (/^\d+(\.\d+)?$/.test(token.text) && Number.isFinite(value)) {
        out.push({ text: String(value), start: token.start, end: next.end, kind: 'number' });
        i += 2;
        continue;
      }
    }
    const phrase = token.kind === 'word' ? readNumberPhrase(text, tokens, i) : null;
    if (phrase) {
      out.push({
        text: String(phrase.value),
        start: token.start,
        end: tokens[phrase.next - 1]!.end,
        kind: 'number',
      });
      i = phrase.next;
      continue;
    }
    out.push(token);
    i++;
  }
  return out;
}

/** 4.1 × 1000 is 4100.000000000001 in floating point; a number written in words has no such tail. */
function roundOff(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

type Last = 'start' | 'unit' | 'teen' | 'ten' | 'hundred' | 'scale';

/**
 * The number written in words from tokens[from], and the index after its last word; null when no
 * number starts there. English grammar, read greedily: "two thousand five hundred and six",
 * "twelve hundred"; "five six" is two numbers, and a trailing "and" is not part of one.
 */
function readNumberPhrase(
  text: string,
  tokens: readonly Token[],
  from: number,
): { value: number; next: number } | null {
  let total = 0;
  let group = 0;
  let last: Last = 'start';
  let lastScale = Infinity;
  let i = from;
  let end = from;
  const at = (index: number) => tokens[index]?.text ?? '';
  const follows = (index: number) =>
    index > from && tokens[index] !== undefined && joined(text, tokens[index - 1]!, tokens[index]);
  const isSmall = (word: string) =>
    UNITS[word] !== undefined || TEENS[word] !== undefined || TENS[word] !== undefined;

  if ((at(i) === 'a' || at(i) === 'an') && MULTIPLIERS[at(i + 1)] !== undefined && follows(i + 1)) {
    group = 1;
    last = 'unit';
    i++;
  }
  while (i < tokens.length && (i === from || follows(i))) {
    const word = at(i);
    if (UNITS[word] !== undefined) {
      const value = UNITS[word];
      if (value === 0 ? last !== 'start' : !['start', 'ten', 'hundred', 'scale'].includes(last))
        break;
      group += value;
      last = 'unit';
    } else if (TEENS[word] !== undefined || TENS[word] !== undefined) {
      if (!['start', 'hundred', 'scale'].includes(last)) break;
      group += TEENS[word] ?? TENS[word]!;
      last = TEENS[word] !== undefined ? 'teen' : 'ten';
    } else if (word === 'hundred') {
      if (!['unit', 'teen', 'ten'].includes(last) || group === 0 || group >= 100) break;
      group *= 100;
      last = 'hundred';
    } else if (word === 'dozen') {
      if (!['unit', 'teen', 'ten'].includes(last) || group === 0) break;
      group *= 12;
      end = i + 1;
      break;
    } else if (SCALES[word] !== undefined) {
      const scale = SCALES[word];
      if (!['unit', 'teen', 'ten', 'hundred'].includes(last) || scale >= lastScale || group === 0)
        break;
      total += group * scale;
      group = 0;
      lastScale = scale;
      last = 'scale';
    } else if (word === 'and') {
      if ((last !== 'hundred' && last !== 'scale') || !isSmall(at(i + 1)) || !follows(i + 1)) break;
      i++;
      continue;
    } else {
      break;
    }
    i++;
    end = i;
  }
  return end > from ? { value: total + group, next: end } : null;
}
