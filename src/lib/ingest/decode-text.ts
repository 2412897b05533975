/** An encoding read from the bytes alone, with no byte-order mark or declaration to say so. */
export type AssumedEncoding = 'windows-1252' | 'utf-16le' | 'utf-16be';

export interface DecodedText {
  text: string;
  /** Invalid sequences turned into U+FFFD. */
  replaced: number;
  /** Set when the text is not UTF-8 and nothing in the file said which encoding it is. */
  assumed?: AssumedEncoding;
}

/**
 * Decodes a text file. A byte-order mark decides first, then `declared` (a WHATWG label such as
 * "windows-1252", e.g. from an HTML page's `<meta charset>`). Without either: UTF-16 whose
 * zero bytes give it away (`utf16WithoutBom`); else UTF-8, unless the bytes are mostly not
 * UTF-8 and read cleanly as Windows-1252 (`assumed` then says so). Valid UTF-8 is always UTF-8.
 */
export function decodeText(bytes: Uint8Array, declared?: string): DecodedText {
  const bom = byteOrderMark(bytes);
  if (bom) return decodeAs(bytes, bom);
  if (declared) return decodeAs(bytes, declared);
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return { ...decodeAs(bytes, utf16), assumed: utf16 };
  const utf8 = decodeAs(bytes, 'utf-8');
  if (utf8.replaced === 0 || utf8.replaced <= validNonAscii(utf8.text)) return utf8;
  // More invalid sequences than valid non-ASCII characters: not UTF-8 with a few damaged bytes,
  // but another encoding. Windows-1252 (which WHATWG also uses for "latin1" and "iso-8859-1")
  // is the one Western text editors wrote; C1 control characters mean it is not that either
  // (Shift_JIS, GBK and the like use those bytes), and the UTF-8 reading with its warning stays.
  const legacy = decodeWindows1252(bytes);
  if (/[\u0080-\u009f]/.test(legacy)) return utf8;
  return { text: legacy, replaced: 0, assumed: 'windows-1252' };
}

/** Windows-1252's characters for the bytes 0x80–0x9F; the five it leaves undefined are C1. */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/**
 * Windows-1252 as the WHATWG Encoding Standard defines it. Node 20's TextDecoder decodes this
 * label as ISO-8859-1 (0x80–0x9F as C1 controls), so those bytes are mapped here; browsers'
 * decoders already give the same result.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252')
    .decode(bytes)
    .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

function byteOrderMark(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  return undefined;
}

/** `bytes` in `encoding`, counting the invalid sequences replaced. */
function decodeAs(bytes: Uint8Array, encoding: string): DecodedText {
  const decoder = new TextDecoder(encoding);
  // "latin1" and "iso-8859-1" are labels of windows-1252 too.
  if (decoder.encoding === 'windows-1252') return { text: decodeWindows1252(bytes), replaced: 0 };
  // The decoder strips the byte-order mark itself.
  const text = decoder.decode(bytes);
  let replaced = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) replaced++;
  // A U+FFFD that was really in the file is not a replacement; the source says so only when strict.
  if (replaced > 0) {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes);
      replaced = 0;
    } catch {
      // Some really were invalid; the count may include genuine U+FFFDs, which is close enough.
    }
  }
  return { text, replaced };
}

/** Characters beyond ASCII other than U+FFFD: what valid multi-byte UTF-8 sequences gave. */
function validNonAscii(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f && code !== 0xfffd) count++;
  }
  return count;
}

/** The bytes looked at to tell UTF-16 without a byte-order mark. */
const UTF16_SAMPLE = 8192;

/**
 * UTF-16 without a byte-order mark, told by its zero bytes: in text that is mostly ASCII or
 * Latin-1, every other byte is zero — the odd ones in little-endian, the even ones in
 * big-endian — and the others almost never are. The sample must then read as text (no NUL
 * characters, few control characters), which binary data with a 16-bit pattern does not.
 * An odd number of bytes is not UTF-16.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 2 || bytes.length % 2 !== 0) return undefined;
  const sample = bytes.subarray(0, Math.min(bytes.length, UTF16_SAMPLE));
  const pairs = sample.length / 2;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const encoding =
    oddZeros >= pairs / 2 && evenZeros <= pairs * 0.02
      ? 'utf-16le'
      : evenZeros >= pairs / 2 && oddZeros <= pairs * 0.02
        ? 'utf-16be'
        : undefined;
  if (!encoding) return undefined;
  const text = new TextDecoder(encoding).decode(sample);
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return undefined;
    // Tab, line feed, vertical tab, form feed, carriage return and escape appear in real text.
    if (code < 32 && (code < 9 || code > 13) && code !== 27) control++;
  }
  return control <= text.length * 0.05 ? encoding : undefined;
}

const ENCODING_NAMES: Record<AssumedEncoding, string> = {
  'windows-1252': 'Windows-1252 (Western European, also called Latin-1)',
  'utf-16le': 'UTF-16 little-endian',
  'utf-16be': 'UTF-16 big-endian',
};

/** What a document's reader should know about how its bytes were decoded: nothing, mostly. */
export function decodingWarnings({ replaced, assumed }: DecodedText): string[] {
  if (assumed) {
    return [
      `Read as ${ENCODING_NAMES[assumed]}: the file is not UTF-8 and does not say which ` +
        'encoding it is in, so this one was assumed. If some letters look wrong, save it as ' +
        'UTF-8 and add it again.',
    ];
  }
  if (replaced <= 0) return [];
  return [
    `${replaced} invalid byte sequence${replaced === 1 ? ' was' : 's were'} replaced with �: ` +
      'the file is not entirely UTF-8. Save it as UTF-8 and add it again for the exact text.',
  ];
}

/** Whether this runtime's TextDecoder knows the encoding label. */
export function isKnownEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}
