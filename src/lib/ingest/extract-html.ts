import { decodeText, decodingWarnings, isKnownEncoding } from './decode-text';
import type { Extraction } from './extraction';
import { htmlToMarkdown } from './html-to-markdown';

/** An HTML file's visible text and headings, as Markdown (see `htmlToMarkdown`). */
export function extractHtml(bytes: Uint8Array): Extraction {
  const decoded = decodeText(bytes, declaredCharset(bytes));
  return {
    text: htmlToMarkdown(decoded.text).text,
    format: 'html',
    warnings: decodingWarnings(decoded),
  };
}

/**
 * The encoding a page declares in its first kilobyte (`<meta charset>` or the http-equiv
 * Content-Type), as browsers look for it; undefined when it declares none this runtime can
 * decode (the bytes then tell, see `decodeText`).
 */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const label = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase();
  // A page cannot declare UTF-16 in a way readable as ASCII; browsers take it to mean UTF-8.
  if (!label || !isKnownEncoding(label)) return undefined;
  return label.startsWith('utf-16') ? 'utf-8' : label;
}
