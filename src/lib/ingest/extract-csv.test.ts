import { describe, expect, test } from 'vitest';
import { chunkDocument } from '../core/text/chunking';
import { utf8 } from '../../../test/make-files';
import { EmptyDocumentError } from './errors';
import { extractCsv } from './extract-csv';

describe('extractCsv', () => {
  test('one block per record, every field under its column name', () => {
    const csv = 'name,city,note\n"Martin, Ada",Lyon,"line one\nline two"\nBo Chen,,x\n';
    const { text, format, warnings } = extractCsv(utf8(csv), 'people.csv');
    expect(format).toBe('csv');
    expect(warnings).toEqual([]);
    expect(text).toBe(
      'Row 2\nname: Martin, Ada\ncity: Lyon\nnote: line one line two\n\nRow 3\nname: Bo Chen\nnote: x',
    );
  });

  test('every chunk keeps the header with its values', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},Employee ${i},Team ${i % 7}`);
    const { text } = extractCsv(utf8(`id,employee,team\n${rows.join('\n')}`), 'staff.csv');
    const chunks = chunkDocument(text, 'csv', { targetTokens: 64, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(chunk.text).toMatch(/^Row \d+\nid: \d+\nemployee: Employee \d+\nteam: Team \d/);
    }
  });

  test('a first row without letters is data, and columns are numbered', () => {
    expect(extractCsv(utf8('1,2\n3,4\n'), 'n.csv').text).toBe(
      'Row 1\nColumn 1: 1\nColumn 2: 2\n\nRow 2\nColumn 1: 3\nColumn 2: 4',
    );
  });

  test('TSV by extension, semicolons by sniffing', () => {
    expect(extractCsv(utf8('a\tb\n1,5\t2\n'), 't.tsv').text).toBe('Row 2\na: 1,5\nb: 2');
    expect(extractCsv(utf8('a;b\n1,5;2\n'), 'eu.csv').text).toBe('Row 2\na: 1,5\nb: 2');
  });

  test('a quote left open is a warning, not an error', () => {
    const { text, warnings } = extractCsv(utf8('a,b\n1,"open\n2,3\n'), 'q.csv');
    expect(text).toBe('Row 2\na: 1\nb: open 2,3');
    expect(warnings).toEqual([
      'A quoted field in row 2 is never closed, so everything after it was read as that one ' +
        'field. Check the quotes in the file.',
    ]);
  });

  test('a header without rows is empty', () => {
    expect(() => extractCsv(utf8('name,city\n'), 'h.csv')).toThrow(EmptyDocumentError);
    expect(() => extractCsv(utf8('name,city\n'), 'h.csv')).toThrow(
      '“h.csv” has a header row but no rows of data',
    );
  });
});
