import { decodeText, decodingWarnings } from './decode-text';
import { EmptyDocumentError } from './errors';
import type { Extraction } from './extraction';
import { parseCsv } from '../core/text/parse-csv';

/**
 * A CSV (or TSV) file as one block per record, each field on its own line after its column's
 * name, so every chunk carries the header of the values it holds:
 *
 *     Row 2
 *     name: Alice Martin
 *     city: Lyon
 *
 * Rows are numbered as a spreadsheet shows them, the header being row 1. Empty fields are left
 * out. Line breaks inside a field become spaces: a record's lines are its fields. When no cell of
 * the first row has a letter in it, it is data, not a header, and columns are named "Column 1", ….
 */
export function extractCsv(bytes: Uint8Array, name: string): Extraction {
  const decoded = decodeText(bytes);
  const source = decoded.text;
  const isTsv = /\.tsv$/i.test(name);
  const { rows, unclosedQuoteRow } = parseCsv(source, isTsv ? '\t' : undefined);
  const first = rows[0] ?? [];
  const hasHeader = first.some((cell) => /\p{L}/u.test(cell));
  const header = hasHeader ? first.map(clean) : [];
  const records = hasHeader ? rows.slice(1) : rows;
  if (records.length === 0) {
    throw new EmptyDocumentError(
      name,
      `“${name}” has a header row but no rows of data: there is nothing to search. Check the file.`,
    );
  }
  const blocks: string[] = [];
  records.forEach((record, i) => {
    const lines = [`Row ${i + (hasHeader ? 2 : 1)}`];
    record.forEach((value, column) => {
      const v = clean(value);
      if (v !== '') lines.push(`${header[column] || `Column ${column + 1}`}: ${v}`);
    });
    if (lines.length > 1) blocks.push(lines.join('\n'));
  });
  const warnings = decodingWarnings(decoded);
  if (unclosedQuoteRow !== undefined) {
    warnings.push(
      `A quoted field in row ${unclosedQuoteRow} is never closed, so everything after it was read ` +
        'as that one field. Check the quotes in the file.',
    );
  }
  return { text: blocks.join('\n\n'), format: 'csv', warnings };
}

function clean(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}
