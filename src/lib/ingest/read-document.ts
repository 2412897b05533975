import type { DocumentFormat } from '../core/documents';

/** Named errors a user sees next to the file's name; each message says what to do. */
export class UnsupportedFormatError extends Error {
  override name = 'UnsupportedFormatError';
}
export class EmptyDocumentError extends Error {
  override name = 'EmptyDocumentError';
}
export class BinaryContentError extends Error {
  override name = 'BinaryContentError';
}

export const SUPPORTED_EXTENSIONS: Record<string, DocumentFormat> = {
  md: 'markdown',
  markdown: 'markdown',
  txt: 'plain',
  text: 'plain',
};

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function formatFromName(name: string): DocumentFormat | undefined {
  return SUPPORTED_EXTENSIONS[extensionOf(name)];
}

export interface ReadDocument {
  text: string;
  format: DocumentFormat;
  /** SHA-256 of the bytes, hex: the same file added twice is recognised by it. */
  contentHash: string;
  warnings: string[];
}

/** Reads a .txt or .md file: checks its type, decodes its text and hashes its bytes. */
export async function readDocument(file: Blob, name: string): Promise<ReadDocument> {
  const format = formatFromName(name);
  if (!format) {
    const ext = extensionOf(name);
    throw new UnsupportedFormatError(
      `“${name}” is not supported yet${ext ? ` (.${ext} files)` : ''}. ` +
        'Grounded reads plain text (.txt) and Markdown (.md) files for now.',
    );
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length === 0) {
    throw new EmptyDocumentError(`“${name}” is empty: there is no text to search. Check the file.`);
  }
  const { text, replaced } = decodeText(bytes);
  if (replaced < 0) {
    throw new BinaryContentError(
      `“${name}” does not contain text (it looks like binary data despite its .${extensionOf(name)} name).`,
    );
  }
  if (text.trim() === '') {
    throw new EmptyDocumentError(`“${name}” contains only whitespace: there is no text to search.`);
  }
  const warnings =
    replaced > 0
      ? [`${replaced} invalid byte sequence${replaced === 1 ? ' was' : 's were'} replaced with �.`]
      : [];
  return { text, format, contentHash: await sha256Hex(bytes), warnings };
}

/**
 * Decodes UTF-8, or UTF-16 when the bytes start with its byte-order mark. `replaced` counts
 * invalid sequences turned into U+FFFD, or is -1 when the bytes look binary (NUL bytes in text
 * that is not UTF-16).
 */
export function decodeText(bytes: Uint8Array): { text: string; replaced: number } {
  let encoding = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  if (encoding === 'utf-8' && bytes.subarray(0, 8192).includes(0))
    return { text: '', replaced: -1 };
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

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
