/**
 * An answer cut into the sentences a support check marks one by one (issue "Answer inspector").
 * Built on the platform's sentence segmenter (Intl.Segmenter, Unicode's rules: decimals like 0.45
 * and "e.g. the" stay whole), with what an answer in Markdown adds to it:
 * - every list item, heading and paragraph is its own unit, and a list marker ("- ", "2. ") is
 *   not part of its sentence;
 * - a fenced code block is one unit of kind 'code', never cut;
 * - a citation written after the full stop ("… 30 weeks. [1]") belongs to the sentence before it;
 * - a sentence is not ended by a common abbreviation ("Dr.", "approx.", "No.") or an initial
 *   ("J. Smith").
 */

export type SentenceKind = 'text' | 'code';

export interface Sentence {
  /** answer.slice(start, end): trimmed, never empty. */
  text: string;
  start: number;
  end: number;
  kind: SentenceKind;
}

/** Lower-case, without the full stop: words after which a full stop does not end a sentence. */
const ABBREVIATIONS = new Set([
  'approx',
  'dr',
  'e.g',
  'eg',
  'etc',
  'fig',
  'i.e',
  'ie',
  'inc',
  'jr',
  'ltd',
  'mr',
  'mrs',
  'ms',
  'no',
  'nos',
  'prof',
  'sr',
  'st',
  'vs',
  'cf',
  'dept',
  'est',
  'min',
  'max',
  'p',
  'pp',
]);

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const LIST_MARKER = /^\s{0,6}(?:[-*+]|\d{1,3}[.)])\s+/;
const HEADING_MARKER = /^\s{0,3}#{1,6}\s+/;
const QUOTE_MARKER = /^\s{0,3}>\s?/;
const LEADING_CITATIONS = /^(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\])+/;

let segmenter: Intl.Segmenter | undefined;

/** The answer's sentences in order; see the file's comment for the rules. */
export function splitSentences(answer: string): Sentence[] {
  const out: Sentence[] = [];
  for (const unit of units(answer)) {
    if (unit.kind === 'code') push(out, answer, unit.start, unit.end, 'code');
    else
      for (const [start, end] of sentencesIn(answer, unit.start, unit.end))
        push(out, answer, start, end, 'text');
  }
  return out;
}

interface Unit {
  start: number;
  end: number;
  kind: SentenceKind;
}

/** Paragraphs, list items, headings and code blocks, with their Markdown markers left out. */
function units(text: string): Unit[] {
  const result: Unit[] = [];
  let paragraph: Unit | null = null;
  let fence: { marker: string; start: number } | null = null;
  const close = () => {
    if (paragraph) result.push(paragraph);
    paragraph = null;
  };
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    const lineEnd = offset + line.length;
    offset = lineEnd + 1;
    const fenceMatch = FENCE.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1]!.startsWith(fence.marker)) {
        result.push({ start: fence.start, end: lineEnd, kind: 'code' });
        fence = null;
      }
      continue;
    }
    if (fenceMatch) {
      close();
      fence = { marker: fenceMatch[1]!, start: lineStart };
      continue;
    }
    if (line.trim() === '') {
      close();
      continue;
    }
    let contentStart = lineStart;
    const quote = QUOTE_MARKER.exec(line);
    if (quote) contentStart += quote[0].length;
    const rest = text.slice(contentStart, lineEnd);
    const marker = LIST_MARKER.exec(rest) ?? HEADING_MARKER.exec(rest);
    if (marker) {
      // A list item or heading starts a unit of its own; its continuation lines join it.
      close();
      paragraph = { start: contentStart + marker[0].length, end: lineEnd, kind: 'text' };
      if (HEADING_MARKER.test(rest)) close();
      continue;
    }
    if (paragraph) paragraph.end = lineEnd;
    else paragraph = { start: contentStart, end: lineEnd, kind: 'text' };
  }
  close();
  // An unclosed fence runs to the end, as Markdown renders it.
  if (fence) result.push({ start: fence.start, end: text.length, kind: 'code' });
  return result.sort((a, b) => a.start - b.start);
}

/** [start, end) of each sentence of text[start, end). */
function sentencesIn(text: string, start: number, end: number): [number, number][] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const spans: [number, number][] = [];
  // A line break inside a paragraph or list item is wrapping, not the end of a sentence (the
  // segmenter would break there); spaces of the same length keep the offsets.
  for (const { index, segment } of segmenter.segment(
    text.slice(start, end).replace(/\r?\n/g, (m) => ' '.repeat(m.length)),
  )) {
    spans.push([start + index, start + index + segment.length]);
  }
  const merged: [number, number][] = [];
  for (const span of spans) {
    const previous = merged[merged.length - 1];
    // … and neither does one a lower-case word continues: '"Here!" said Anna.'
    const continues = /^\s*\p{Ll}/u.test(text.slice(span[0], span[1]));
    if (previous && (continues || endsWithoutEnding(text.slice(previous[0], previous[1])))) {
      previous[1] = span[1];
      continue;
    }
    // Citations after the full stop go back to the sentence they cite for.
    const cited = LEADING_CITATIONS.exec(text.slice(span[0], span[1]));
    if (previous && cited) {
      previous[1] = span[0] + cited[0].length;
      span[0] += cited[0].length;
    }
    merged.push(span);
  }
  return merged;
}

/** The segment ends in an abbreviation or an initial, so its full stop ends no sentence. */
function endsWithoutEnding(segment: string): boolean {
  // A section number in a source line ("handbook.md › 7. Incidents").
  if (/›\s*\d+(?:\.\d+)*\.\s*$/u.test(segment)) return true;
  const match = /(?:^|[\s(])([\p{L}.]+)\.\s*$/u.exec(segment);
  if (!match) return false;
  const word = match[1]!;
  // An initial ("J. Smith"), but not a unit after a number ("below -70 C. The probes").
  if (/^\p{Lu}$/u.test(word)) return !/\d\s*°?\s*\p{Lu}\.\s*$/u.test(segment);
  return ABBREVIATIONS.has(word.toLowerCase());
}

function push(out: Sentence[], text: string, start: number, end: number, kind: SentenceKind): void {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  if (e > s) out.push({ text: text.slice(s, e), start: s, end: e, kind });
}
