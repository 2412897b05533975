/**
 * What a document was read from. HTML and .docx are stored as Markdown-like text (their headings
 * drive chunking); CSV and JSON as one block of `key: value` lines per record.
 */
export type DocumentFormat =
  'markdown' | 'plain' | 'html' | 'pdf' | 'docx' | 'csv' | 'json' | 'code';
