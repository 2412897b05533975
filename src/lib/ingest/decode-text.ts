/**
 * Decodes UTF-8, or UTF-16 when the bytes start with its byte-order mark, or `encoding` (a
 * WHATWG label such as "windows-1252") when one is declared and no byte-order mark says otherwise.
 * `replaced` counts invalid sequences turned into U+FFFD.
 */
export function decodeText(
  bytes: Uint8Array,
  encoding = 'utf-8',
): { text: string; replaced: number } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  else if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) encoding = 'utf-8';
  // The decoder strips the byte-order mark itself.
  const text = new TextDecoder(encoding).decode(bytes);
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

/** The warning a document gets when invalid bytes were replaced, if any were. */
export function replacementWarnings(replaced: number): string[] {
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
