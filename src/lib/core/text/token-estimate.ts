/** Counts the tokens in a piece of text; chunk sizes are measured with one of these. */
export type TokenCounter = (text: string) => number;

// Character classes, cached per code point on first sight (1.1 MB, allocated on first use).
const UNKNOWN = 0;
const WORD = 1; // letters, digits, combining marks: these run together into words
const SPACE = 2;
const SYMBOL = 3; // punctuation, symbols, emoji, format characters: one token each
const CJK = 4; // each one is a token on its own (BERT splits them; BPE spends one or more)
let classes: Uint8Array | null = null;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const SPACE_CHAR = /\s/u;

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x3040 && cp <= 0x30ff) || // Hiragana, Katakana
    (cp >= 0x31f0 && cp <= 0x31ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || // CJK Extension A
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xff66 && cp <= 0xff9f) || // halfwidth Katakana
    (cp >= 0x1100 && cp <= 0x11ff) || // Hangul Jamo
    (cp >= 0x3130 && cp <= 0x318f) ||
    (cp >= 0xac00 && cp <= 0xd7af) || // Hangul syllables
    (cp >= 0x20000 && cp <= 0x3ffff) // CJK Extensions B and later
  );
}

function classify(cp: number): number {
  classes ??= new Uint8Array(0x110000);
  let cls = classes[cp] ?? UNKNOWN;
  if (cls === UNKNOWN) {
    const ch = String.fromCodePoint(cp); // a lone surrogate matches neither pattern: SYMBOL
    cls = isCjk(cp) ? CJK : SPACE_CHAR.test(ch) ? SPACE : WORD_CHAR.test(ch) ? WORD : SYMBOL;
    classes[cp] = cls;
  }
  return cls;
}

/**
 * Tokens for a word of `units` length units. Common words up to six letters are usually one
 * WordPiece/BPE token; longer and rarer words are split into pieces of about four letters.
 */
function wordTokens(units: number): number {
  return units <= 6 ? 1 : 1 + Math.ceil((units - 6) / 4);
}

/**
 * Conservative estimate of WordPiece/BPE token count without a tokenizer (words, punctuation, CJK
 * ideographs count 1 each, long words count extra). Meant to over-count rather than under-count,
 * so a chunk sized with it fits the model's window; special tokens ([CLS], [SEP]) are not
 * included. Linear in the length of `text`.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let units = 0; // length units of the word being read; 0 when not inside a word
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
        units += 1;
        continue;
      }
      if (c >= 48 && c <= 57) {
        units += 2; // long numbers are split into short digit groups
        continue;
      }
      if (units > 0) {
        tokens += wordTokens(units);
        units = 0;
      }
      if (c > 32 && c !== 127) tokens += 1;
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    const cls = classify(cp);
    if (cls === WORD) {
      units += 2; // non-ASCII letters need more vocabulary pieces
      continue;
    }
    if (units > 0) {
      tokens += wordTokens(units);
      units = 0;
    }
    if (cls !== SPACE) tokens += 1;
  }
  if (units > 0) tokens += wordTokens(units);
  return tokens;
}

/**
 * A counter that never reports fewer than one token per `maxCharsPerToken` characters. WordPiece
 * reads a word of over 100 characters (a hash, base64 data, a run of `=`) as one unknown token, so
 * by its count alone a megabyte without spaces fits in one chunk; the floor still splits it. Real
 * text averages 3–6 characters a token and never meets it. Monotone when `count` is.
 */
export function withCharacterFloor(count: TokenCounter, maxCharsPerToken = 12): TokenCounter {
  return (text) => Math.max(count(text), Math.ceil(text.length / maxCharsPerToken));
}
