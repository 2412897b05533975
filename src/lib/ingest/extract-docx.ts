import mammoth from 'mammoth';
import { CorruptDocumentError } from './errors';
import type { Extraction } from './extraction';
import { htmlToMarkdown } from './html-to-markdown';

/**
 * A Word document's text with its headings, lists and tables: mammoth turns the document's styles
 * into HTML (Heading 1 → `<h1>`, …), which becomes Markdown like any HTML file. Images are left
 * out, not inlined, and mammoth never follows links to files outside the document.
 */
export async function extractDocx(bytes: Uint8Array, name: string): Promise<Extraction> {
  const arrayBuffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  // mammoth's browser build reads `arrayBuffer`; its Node build (the tests) reads `buffer`, which
  // JSZip accepts as an ArrayBuffer too.
  const input = { arrayBuffer, buffer: arrayBuffer };
  let html: string;
  try {
    const result = await mammoth.convertToHtml(input, {
      convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
    });
    html = result.value;
  } catch (error) {
    throw new CorruptDocumentError(
      name,
      `“${name}” could not be read as a Word document: it is damaged or incomplete` +
        `${reason(error)}. Open it in Word (or LibreOffice) and save it again, then add it.`,
    );
  }
  return { text: htmlToMarkdown(html).text, format: 'docx', warnings: [] };
}

/** A short reason from mammoth's or JSZip's error, e.g. "(end of central directory not found)". */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const first = message.split('\n', 1)[0]?.replace(/\.$/, '').trim() ?? '';
  return first && first.length < 160 ? ` (${first})` : '';
}
