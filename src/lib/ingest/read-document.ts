import type { DocumentFormat } from '../core/text/document-format';
import { decodeText, decodingWarnings } from './decode-text';
import {
  detectType,
  extensionOf,
  formatFromName,
  SUPPORTED_SUMMARY,
  type FileType,
} from './detect-type';
import {
  BinaryContentError,
  CorruptDocumentError,
  EmptyDocumentError,
  FileTooLargeError,
  NoTextError,
  PasswordProtectedError,
  UnsupportedFormatError,
} from './errors';
import type { Extraction } from './extraction';

/** The largest file read by default: 100 MB. A document's text and chunks live in memory. */
export const MAX_DOCUMENT_BYTES = 100 * 1000 * 1000;

export interface ReadOptions {
  /** Larger files are refused with a FileTooLargeError; `MAX_DOCUMENT_BYTES` by default. */
  maxBytes?: number;
}

export interface ReadDocument extends Extraction {
  /** SHA-256 of the bytes, hex: the same file added twice is recognised by it. */
  contentHash: string;
}

/**
 * Reads any file Grounded supports into text: checks its size, decides its type from its content
 * and its name (`detectType`), extracts the text with that type's extractor and hashes the bytes.
 * Throws one of the errors in `./errors`, each naming the file and saying what to do. PDF and
 * Word support (pdf.js, mammoth) and the HTML parser are loaded on first use.
 */
export async function readDocument(
  file: Blob,
  name: string,
  { maxBytes = MAX_DOCUMENT_BYTES }: ReadOptions = {},
): Promise<ReadDocument> {
  if (file.size > maxBytes) throw new FileTooLargeError(name, file.size, maxBytes);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length === 0) {
    throw new EmptyDocumentError(
      name,
      `“${name}” is empty: there is no text to search. Check the file.`,
    );
  }
  const type = detectType(name, bytes);
  if (type.kind !== 'document') throw refusal(name, type);
  // Hash first: pdf.js takes ownership of the bytes.
  const contentHash = await sha256Hex(bytes);
  const extraction = await extract(bytes, name, type);
  if (extraction.text.trim() === '') throw nothingToSearch(name, type.format);
  if (type.contentOverrides) {
    extraction.warnings.unshift(
      `Read as ${type.contentOverrides}, which is what it contains, despite its .${extensionOf(name)} name.`,
    );
  }
  return { ...extraction, contentHash };
}

async function extract(
  bytes: Uint8Array,
  name: string,
  type: Extract<FileType, { kind: 'document' }>,
): Promise<Extraction> {
  switch (type.format) {
    case 'pdf':
      return (await import('./extract-pdf')).extractPdf(bytes, name);
    case 'docx':
      return (await import('./extract-docx')).extractDocx(bytes, name);
    case 'html':
      return (await import('./extract-html')).extractHtml(bytes);
    case 'csv':
      return (await import('./extract-csv')).extractCsv(bytes, name);
    case 'json':
      return (await import('./extract-json')).extractJson(bytes, name);
    case 'markdown':
    case 'plain':
    case 'code': {
      const decoded = decodeText(bytes);
      return {
        text: decoded.text,
        format: type.format,
        ...(type.language && { language: type.language }),
        warnings: decodingWarnings(decoded),
      };
    }
  }
}

/** The error for a file that was read but holds no text: why depends on what it is. */
function nothingToSearch(name: string, format: DocumentFormat): Error {
  switch (format) {
    case 'html':
      return new NoTextError(
        name,
        `“${name}” has no visible text to search, only markup, scripts or images. Check the file.`,
      );
    case 'docx':
      return new NoTextError(
        name,
        `“${name}” has no text to search, only images or empty paragraphs. Check the file.`,
      );
    case 'csv':
    case 'json':
      return new EmptyDocumentError(
        name,
        `“${name}” holds no values: there is nothing to search. Check the file.`,
      );
    default:
      return new EmptyDocumentError(
        name,
        `“${name}” contains only whitespace: there is no text to search. Check the file.`,
      );
  }
}

function refusal(name: string, type: Exclude<FileType, { kind: 'document' }>): Error {
  const ext = extensionOf(name);
  switch (type.kind) {
    case 'encrypted':
      return new PasswordProtectedError(name);
    case 'mismatch': {
      const expected = type.expected === 'pdf' ? 'a PDF' : 'a Word document';
      const what = type.isText
        ? 'it holds text (perhaps a web page saved by a failed download)'
        : 'it is damaged, or another kind of file';
      return new CorruptDocumentError(
        name,
        `“${name}” is not ${expected}: ${what}. Download or export it again, then add it.`,
      );
    }
    case 'binary':
      // A name that promises a document makes this a wrong or renamed file, not an unsupported one.
      return formatFromName(name)
        ? new BinaryContentError(
            name,
            `“${name}” is not a document Grounded can read: it is ${type.what}, despite its .${ext} ` +
              `name. ${type.advice}`,
          )
        : new UnsupportedFormatError(
            name,
            `“${name}” is ${type.what}, which Grounded cannot read. ${type.advice}`,
          );
    case 'unsupported':
      return new UnsupportedFormatError(
        name,
        `“${name}” is ${type.what}, which Grounded cannot read. ${type.advice}` +
          (type.advice.includes(SUPPORTED_SUMMARY) ? '' : ` ${SUPPORTED_SUMMARY}`),
      );
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
