/**
 * The exact details of a sentence — dates, amounts of money, codes, numbers with their units, and
 * names — which the answer inspector looks up in the passages one by one: a detail that appears
 * in no passage is the clearest sign of an invented fact ("12 weeks" where the handbook says 30).
 * Each has a `key` to compare by, so "€4,500" in an answer matches "€ 4500" in a passage and
 * "12 weeks" does not match "12 days".
 */

export type DetailKind = 'date' | 'amount' | 'code' | 'number' | 'name';

export interface Detail {
  /** sentence.slice(start, end). */
  text: string;
  start: number;
  end: number;
  kind: DetailKind;
  /** For comparing with a passage's details: lower case, spaces and thousands separators out. */
  key: string;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const ORDINAL = '(?:st|nd|rd|th)?';
const NUMBER = '\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?';
const NUMBER_WORD =
  '(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)';
const UNIT =
  '(?:%|per ?cent|working days?|business days?|weeks?|days?|months?|years?|hours?|minutes?|seconds?|km|miles?|kg|mm|cm|°C|GB|MB|loggers?|customers?|times)';

/** Kinds in priority order: where two overlap, the earlier kind wins, then the longer match. */
const PATTERNS: [DetailKind, RegExp][] = [
  [
    'date',
    new RegExp(
      `\\b\\d{1,2}${ORDINAL}\\s+${MONTH}\\b(?:\\s+\\d{4})?|\\b${MONTH}\\s+\\d{1,2}${ORDINAL}\\b(?:,?\\s+\\d{4})?|\\b${MONTH}\\s+\\d{4}\\b|\\b\\d{4}-\\d{2}-\\d{2}\\b`,
      'g',
    ),
  ],
  [
    'amount',
    new RegExp(
      `[€$£]\\s?(?:${NUMBER})|(?:${NUMBER})\\s?(?:euros?|dollars?|pounds?|EUR|USD|GBP)\\b`,
      'g',
    ),
  ],
  ['code', /\b[A-Z]{1,5}-\d{1,5}[A-Z]?\b|\b\d+(?:\.\d+){2,}\b/g],
  [
    'number',
    new RegExp(
      `(?<![\\d.,\\[])(?:${NUMBER})(?:\\s?${UNIT}\\b)?(?![\\d\\]])|\\b${NUMBER_WORD}\\s${UNIT}\\b`,
      'gi',
    ),
  ],
  ['name', /\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*)*/gu],
];

/** Capitalised only because they start the sentence or are function words: not names. */
const NOT_NAMES = new Set(
  (
    'a an the it its this that these those there they he she we you i in on at of for to from by ' +
    'with and or but if when while after before yes no not every each all some any our your their ' +
    'his her my is are was were be do does did can could should must may might will would ' +
    "i'm i’m i've i’ve i'll i’ll i'd i’d"
  ).split(' '),
);

/**
 * The sentence's details, in order; see the file's comment. A name is a run of capitalised words
 * without leading function words, and not a single word that starts the sentence.
 */
export function extractDetails(sentence: string): Detail[] {
  const found: Detail[] = [];
  for (const [kind, pattern] of PATTERNS) {
    for (const match of sentence.matchAll(pattern)) {
      let start = match.index;
      let text = match[0];
      if (kind === 'name') {
        ({ start, text } = trimName(start, text));
        // One capitalised word starting the sentence is capitalised for that reason alone.
        // So is one that starts a quotation ('he said, "Thank you."').
        const before = sentence.slice(0, start);
        if (!text || (!/\s/.test(text) && /(?:^[\s"'“‘*_(>#-]*|["“‘]\s*)$/u.test(before))) continue;
      }
      const end = start + text.length;
      if (found.some((d) => start < d.end && d.start < end)) continue;
      found.push({ text, start, end, kind, key: keyOf(kind, text) });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Without leading function words ("The Finance Director" → "Finance Director"). */
function trimName(start: number, text: string): { start: number; text: string } {
  const words = text.split(/(\s+)/);
  let offset = start;
  while (words.length > 0 && NOT_NAMES.has(words[0]!.toLowerCase())) {
    offset += words[0]!.length + (words[1]?.length ?? 0);
    words.splice(0, 2);
  }
  return { start: offset, text: words.join('') };
}

function keyOf(kind: DetailKind, text: string): string {
  const lower = text.toLowerCase().replace(/\s+/g, ' ').trim();
  if (kind === 'amount' || kind === 'number') {
    return lower.replace(/(\d),(?=\d{3}\b)/g, '$1').replace(/([€$£])\s/, '$1');
  }
  return lower;
}
