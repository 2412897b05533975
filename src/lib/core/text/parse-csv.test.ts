import { describe, expect, test } from 'vitest';
import { parseCsv, sniffDelimiter } from './parse-csv';

describe('parseCsv', () => {
  test('reads quoted fields with delimiters, line breaks and doubled quotes (RFC 4180)', () => {
    const csv =
      'name,address,note\r\n"Martin, Ada","1 Rue X\r\nLyon","She said ""hi"""\r\nBo,,x\r\n';
    expect(parseCsv(csv).rows).toEqual([
      ['name', 'address', 'note'],
      ['Martin, Ada', '1 Rue X\r\nLyon', 'She said "hi"'],
      ['Bo', '', 'x'],
    ]);
  });

  test('LF and CR line ends, no final line break, blank lines dropped', () => {
    expect(parseCsv('a,b\n1,2\r3,4\n\n5,6').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(parseCsv('').rows).toEqual([]);
    expect(parseCsv('a,').rows).toEqual([['a', '']]);
  });

  test('is lenient where spreadsheets are: stray quotes are characters', () => {
    expect(parseCsv('a,b\n5" screen,"x"y\n').rows).toEqual([
      ['a', 'b'],
      ['5" screen', 'xy'],
    ]);
  });

  test('reports a quote left open, which runs to the end, with the line it opens on', () => {
    const parsed = parseCsv('a,b\n1,"open\n2,3\n');
    expect(parsed.rows).toEqual([
      ['a', 'b'],
      ['1', 'open\n2,3\n'],
    ]);
    expect(parsed.unclosedQuoteRow).toBe(2);
    expect(parsed.unclosedQuoteLine).toBe(2);
    expect(parseCsv('a,b\r\n"x\r\ny",z\r\n\r\n1,"open').unclosedQuoteLine).toBe(5);
  });

  test('gives the line each row starts on, counting line breaks inside quotes and blank lines', () => {
    const csv = 'a,b\r\n"two\r\nlines",x\r\n\r\nc,"3\rlines\n!"\nlast,row';
    const parsed = parseCsv(csv);
    expect(parsed.rows.map((row) => row[0])).toEqual(['a', 'two\r\nlines', 'c', 'last']);
    expect(parsed.lines).toEqual([1, 2, 5, 8]);
  });

  test('reports the first closing quote followed by more of its field', () => {
    const parsed = parseCsv('q,n\n"fine, ""quoted""",1\n"What is "it"?",2\n"x"y,3\n');
    expect(parsed.rows[1]).toEqual(['fine, "quoted"', '1']);
    expect(parsed.rows[2]).toEqual(['What is it"?"', '2']);
    expect(parsed.textAfterQuoteLine).toBe(3);
    expect(parseCsv('q,n\n"a",1\r\n"b"\r\n').textAfterQuoteLine).toBeUndefined();
  });

  test('finds the delimiter from the first line', () => {
    expect(sniffDelimiter('a;b;c\n1;2;3')).toBe(';');
    expect(sniffDelimiter('a\tb\n')).toBe('\t');
    expect(sniffDelimiter('"x;y",b,c\n')).toBe(',');
    expect(sniffDelimiter('single')).toBe(',');
    expect(parseCsv('a;b\n"1;2";3').rows).toEqual([
      ['a', 'b'],
      ['1;2', '3'],
    ]);
  });
});
