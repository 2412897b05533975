// pdf.js parses in a worker of its own unless its worker code is already loaded, which importing
// it does (it sets `globalThis.pdfjsWorker`). This module only ever runs in the embedding worker
// (and in Node for tests), so parsing happens right here: no second worker and no URL to serve.
// The legacy build runs on Node 20 as well as in browsers, so tests exercise the shipped code.
import 'pdfjs-dist/legacy/build/pdf.worker.mjs';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextContent } from 'pdfjs-dist/types/src/display/api';
import { CorruptDocumentError, NoTextError, PasswordProtectedError } from './errors';
import type { Extraction } from './extraction';

/** Pages listed by number in a warning before "and N more". */
const LISTED_PAGES = 10;

/**
 * The text of each page of a PDF, pages separated by a blank line, with the offset where each
 * page starts. Nothing in the PDF runs: scripting is pdf.js's viewer's business, and `eval` (which
 * pdf.js uses only to draw fonts) is off. Takes ownership of `bytes`.
 */
export async function extractPdf(bytes: Uint8Array, name: string): Promise<Extraction> {
  const task = getDocument({
    data: bytes,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    const pdf = await task.promise.catch((error: unknown) => {
      throw openError(error, name);
    });
    let text = '';
    const pageStarts: number[] = [];
    const empty: number[] = [];
    const unreadable: number[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      let pageText = '';
      try {
        const page = await pdf.getPage(number);
        pageText = textOfPage(await page.getTextContent());
        page.cleanup();
      } catch {
        unreadable.push(number);
      }
      if (pageText !== '' && text !== '') text += '\n\n';
      pageStarts.push(text.length);
      if (pageText === '' && !unreadable.includes(number)) empty.push(number);
      text += pageText;
    }
    if (unreadable.length === pdf.numPages) {
      throw new CorruptDocumentError(
        name,
        `“${name}” opened as a PDF but none of its pages could be read: it looks damaged. ` +
          'Download or export it again, then add it.',
      );
    }
    if (text === '') {
      throw new NoTextError(
        name,
        `“${name}” has no text that can be read: its ${plural(pdf.numPages, 'page')} look like ` +
          'scanned images. Grounded does not read text in images; run the PDF through OCR (text ' +
          'recognition, which many PDF and scanning apps offer), then add the result.',
      );
    }
    const warnings: string[] = [];
    if (empty.length > 0) {
      warnings.push(
        `${pageList(empty)} no text (scanned images?) and ${empty.length === 1 ? 'is' : 'are'} ` +
          `not searchable. Run the PDF through OCR to search ${empty.length === 1 ? 'it' : 'them'}.`,
      );
    }
    if (unreadable.length > 0) {
      warnings.push(
        `${pageList(unreadable, 'could not be read')}: ${unreadable.length === 1 ? 'it is' : 'they are'} damaged and left out.`,
      );
    }
    return { text, format: 'pdf', pageStarts, warnings };
  } finally {
    await task.destroy();
  }
}

function openError(error: unknown, name: string): Error {
  const { name: kind, message } = (error ?? {}) as { name?: string; message?: string };
  if (kind === 'PasswordException') return new PasswordProtectedError(name);
  return new CorruptDocumentError(
    name,
    `“${name}” could not be read as a PDF: it is damaged or incomplete` +
      `${message ? ` (${message.replace(/\.$/, '')})` : ''}. ` +
      'Download or export it again, then add it.',
  );
}

/**
 * A page's text items in content order, a line break where pdf.js saw a line end, and a blank
 * line where the gap to the next line is wider than a line: a paragraph break, for chunking.
 */
function textOfPage(content: TextContent): string {
  let text = '';
  let lastY: number | null = null;
  let lastHeight = 0;
  let lineStart = true;
  for (const item of content.items) {
    if (!('str' in item)) continue;
    const y = item.transform[5] ?? 0;
    const height = Math.abs(item.transform[3] ?? 0) || item.height;
    if (item.str.trim() !== '') {
      if (lineStart && lastY !== null && Math.abs(lastY - y) > 1.8 * Math.max(height, lastHeight)) {
        text += '\n';
      }
      lastY = y;
      lastHeight = height;
      lineStart = false;
    }
    text += item.str;
    if (item.hasEOL) {
      text += '\n';
      lineStart = true;
    }
  }
  return text
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "Page 3 has", "Pages 3, 5 and 9 have", "Pages 1, 2, … and 40 more have". */
function pageList(pages: number[], verb?: string): string {
  const listed = pages.slice(0, LISTED_PAGES).map(String);
  const more = pages.length - listed.length;
  const last = more > 0 ? `${more} more` : listed.pop();
  const names = listed.length > 0 ? `${listed.join(', ')} and ${last}` : last;
  const subject = `${pages.length === 1 ? 'Page' : 'Pages'} ${names}`;
  return `${subject} ${verb ?? (pages.length === 1 ? 'has' : 'have')}`;
}
