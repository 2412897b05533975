import type { DocumentFormat } from '../core/text/document-format';

/** What an extractor makes of a file: the text to chunk and store, and what else it learnt. */
export interface Extraction {
  text: string;
  format: DocumentFormat;
  /** PDF: the offset in `text` where each page starts, one per page; the first is 0. */
  pageStarts?: number[];
  /** Source code: its language, e.g. "Python". */
  language?: string;
  /** Things the user should know, e.g. replaced invalid bytes or pages without text. */
  warnings: string[];
}
