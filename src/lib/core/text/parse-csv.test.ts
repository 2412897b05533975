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

  test('reports a quote left open, which runs to the end', () => {
    const parsed = parseCsv('a,b\n1,"open\n2,3\n');
    expect(parsed.rows).toEqual([
      ['a', 'b'],
      ['1', 'open\n2,3\n'],
    ]);
    expect(parsed.unclosedQuoteRow).toBe(2);
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
