import { decodeText, isKnownEncoding, replacementWarnings } from './decode-text';
import type { Extraction } from './extraction';
import { htmlToMarkdown } from './html-to-markdown';

/** An HTML file's visible text and headings, as Markdown (see `htmlToMarkdown`). */
export function extractHtml(bytes: Uint8Array): Extraction {
  const { text: html, replaced } = decodeText(bytes, declaredCharset(bytes));
  return {
    text: htmlToMarkdown(html).text,
    format: 'html',
    warnings: replacementWarnings(replaced),
  };
}

/**
 * The encoding a page declares in its first kilobyte (`<meta charset>` or the http-equiv
 * Content-Type), as browsers look for it, when this runtime can decode it; UTF-8 otherwise.
 */
export function declaredCharset(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const label = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase();
  // A page cannot declare UTF-16 in a way readable as ASCII; browsers take it to mean UTF-8.
  if (!label || label.startsWith('utf-16') || !isKnownEncoding(label)) return 'utf-8';
  return label;
}
