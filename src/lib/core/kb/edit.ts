/**
 * Editing a stored document: its stored text is what the person edits, and the edited text is
 * added again as a file that replaces it. The stored text of a PDF, a Word document, a web page,
 * a CSV or a JSON file is what was extracted from it, so saved under its own name it would be
 * read as that format again and fail (or be misread); it is saved as plain text or Markdown.
 */

import type { DocumentFormat } from '../text/document-format';

/** How an edited document is saved. */
export interface EditedVersion {
  /** The file name the edited text is added under. */
  name: string;
  format: DocumentFormat;
  /** What changes besides the text, for the editor to say; absent when nothing does. */
  note?: string;
}

/** What each format's stored text is, saved as: HTML and .docx are stored as Markdown. */
const SAVED_AS: Record<DocumentFormat, { format: DocumentFormat; extension: string }> = {
  plain: { format: 'plain', extension: 'txt' },
  markdown: { format: 'markdown', extension: 'md' },
  code: { format: 'code', extension: 'txt' },
  pdf: { format: 'plain', extension: 'txt' },
  csv: { format: 'plain', extension: 'txt' },
  json: { format: 'plain', extension: 'txt' },
  html: { format: 'markdown', extension: 'md' },
  docx: { format: 'markdown', extension: 'md' },
};

const WHAT: Partial<Record<DocumentFormat, string>> = {
  pdf: 'a PDF',
  docx: 'a Word document',
  html: 'a web page',
  csv: 'a CSV file',
  json: 'a JSON file',
};

const LOST: Partial<Record<DocumentFormat, string>> = {
  pdf: ' Its pages are not kept, so its passages no longer show a page number.',
  csv: ' Its records stay as they are shown here, one “column: value” line per field.',
  json: ' Its records stay as they are shown here, one “key: value” line per value.',
};

/**
 * The name and format the edited text of document `name` (of `format`) is saved with.
 * `nameFormat` is the format its name alone promises (ingest's formatFromName), which is what the
 * edited file will be read as: the name is kept when that is the saved format (or when the name
 * promises none and the format stays, e.g. a README), and otherwise gets the saved format's
 * extension added, so it stays recognisable: “report.pdf” becomes “report.pdf.txt”.
 */
export function editedVersion(
  name: string,
  format: DocumentFormat,
  nameFormat: DocumentFormat | undefined,
): EditedVersion {
  const saved = SAVED_AS[format];
  const keepsName =
    nameFormat === saved.format || (nameFormat === undefined && saved.format === format);
  const newName = keepsName ? name : `${name}.${saved.extension}`;
  if (saved.format === format && keepsName) return { name, format };
  const as = saved.format === 'markdown' ? 'Markdown' : 'plain text';
  const named = keepsName ? '' : `, named “${newName}”`;
  const what = WHAT[format];
  const note =
    (what
      ? `“${name}” is ${what}: its text as extracted is saved as ${as}${named}.`
      : `Its text is saved as ${as}${named}.`) + (LOST[format] ?? '');
  return { name: newName, format: saved.format, note };
}

/**
 * Whether the edited text is the stored one. A text box gives its text back with every line
 * break as a line feed, so a document with Windows (CR LF) line breaks is unchanged when only
 * those differ: it is not embedded again for nothing.
 */
export function isUnchanged(stored: string, edited: string): boolean {
  return stored === edited || stored.replace(/\r\n?/g, '\n') === edited;
}
