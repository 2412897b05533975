/**
 * Citations in an answer: the passage numbers a model wrote in brackets, as the grounded prompt
 * asks ("[1]", "[1][3]"), and the variants small models write instead ("[1, 2]", "[1-3]", "【1】").
 *
 * The text is read as plain text. Brackets inside code spans or code blocks are matched like any
 * others; keeping code out is the renderer's job, which knows where code is.
 */

export interface CitationMatch {
  /** UTF-16 offsets into the text: text.slice(start, end) is the whole bracket, e.g. "[1, 2]". */
  start: number;
  end: number;
  /** In the order written; a range is expanded ("[1-3]" → 1, 2, 3). */
  numbers: number[];
}

export interface CitationCheck {
  /** Passage numbers cited that exist, sorted, each once. */
  cited: number[];
  /** Numbers cited that name no passage (0, or more than there are), sorted, each once. */
  invalid: number[];
  /** True when no passage that exists is cited (an answer citing only [9] of 3 cites nothing). */
  citesNothing: boolean;
}

/** Above this a bracketed number is a year, a quantity or an array index, not a passage. */
export const MAX_CITATION_NUMBER = 999;

// One to three digits, optionally a range ("1-3", "1–3"); items separated by commas or
// semicolons (fullwidth too); spaces allowed anywhere. ASCII, fullwidth and CJK lenticular
// brackets, since models answering in Chinese or Japanese write 【1】 or ［1］.
const ITEM = String.raw`\d{1,3}(?:\s*[-–]\s*\d{1,3})?`;
const CITATION = new RegExp(
  String.raw`[\[【［]\s*(${ITEM}(?:\s*[,，;；]\s*${ITEM})*)\s*[\]】］]`,
  'gu',
);
const RANGE = /^(\d+)\s*[-–]\s*(\d+)$/;

/**
 * Every citation in `text`, in order. "[1][2]" is two matches. Not citations: markdown links
 * "[1](url)" and reference links "[text][1]", footnotes "[^1]", and anything malformed — "[1",
 * "[a]", "[]", "[1.5]", "[3-1]", numbers above 999.
 */
export function findCitations(text: string): CitationMatch[] {
  const matches: CitationMatch[] = [];
  let previousEnd = -1;
  for (const match of text.matchAll(CITATION)) {
    const start = match.index;
    const end = start + match[0].length;
    // "[1](url)" is a link whose text happens to be a number.
    if (text[end] === '(') continue;
    // "[text][1]" is a reference link; "[1][2]" is two citations, told apart by the first.
    if (text[start - 1] === ']' && start !== previousEnd) continue;
    const numbers = parseNumbers(match[1] ?? '');
    if (!numbers) continue;
    matches.push({ start, end, numbers });
    previousEnd = end;
  }
  return matches;
}

/** Numbers in a bracket's inside, or null when a range runs backwards or a number is absurd. */
function parseNumbers(inside: string): number[] | null {
  const numbers: number[] = [];
  for (const item of inside.split(/[,，;；]/)) {
    const trimmed = item.trim();
    const range = RANGE.exec(trimmed);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) return null;
      for (let n = from; n <= to; n++) numbers.push(n);
    } else {
      numbers.push(Number(trimmed));
    }
  }
  return numbers.every((n) => Number.isInteger(n) && n <= MAX_CITATION_NUMBER) ? numbers : null;
}

/** Which of `passageCount` passages (numbered from 1) an answer cites, and which numbers are wrong. */
export function checkCitations(answer: string, passageCount: number): CitationCheck {
  const cited = new Set<number>();
  const invalid = new Set<number>();
  for (const { numbers } of findCitations(answer)) {
    for (const n of numbers) (n >= 1 && n <= passageCount ? cited : invalid).add(n);
  }
  const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);
  return { cited: sorted(cited), invalid: sorted(invalid), citesNothing: cited.size === 0 };
}
