export interface ParsedCsv {
  rows: string[][];
  /** The 1-based line of the file on which each row starts (a quoted field may span lines). */
  lines: number[];
  delimiter: string;
  /** 1-based row where a quoted field never closed (it ran to the end of the file), if one did. */
  unclosedQuoteRow?: number;
  /** 1-based line on which that never-closed quote opens. */
  unclosedQuoteLine?: number;
  /**
   * 1-based line of the first closing quote followed by more of its field (`"a"b`, read as `ab`):
   * RFC 4180 does not allow it, and it usually means a quote inside a quoted field that was not
   * doubled. Lenient readers ignore it; strict ones can reject the file.
   */
  textAfterQuoteLine?: number;
}

const DELIMITERS = [',', ';', '\t', '|'];

/**
 * Parses CSV as RFC 4180 describes it: fields separated by `delimiter`, records by CRLF (or LF, or
 * CR), a field in double quotes may hold delimiters, line breaks and `""` for a quote. Leniently,
 * as spreadsheet programs are: a quote inside an unquoted field is a character, characters after a
 * closing quote belong to the field, and a quote left open runs to the end of the file. Rows that
 * are entirely empty are dropped. Without `delimiter`, the one of , ; tab | that occurs most often
 * outside quotes in the first line is used.
 */
export function parseCsv(text: string, delimiter = sniffDelimiter(text)): ParsedCsv {
  const rows: string[][] = [];
  const lines: number[] = [];
  let textAfterQuoteLine: number | undefined;
  let row: string[] = [];
  let field = '';
  let i = 0;
  let rowStart = 0;
  let line = 1;
  let rowLine = 1;
  const n = text.length;
  const d = delimiter.charCodeAt(0);
  const endRow = () => {
    row.push(field);
    field = '';
    if (row.length > 1 || row[0] !== '') {
      rows.push(row);
      lines.push(rowLine);
    }
    row = [];
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 && field === '' && atFieldStart(text, i, d)) {
      // A quoted field: up to the quote that is not doubled.
      const startRow = rows.length + 1;
      let j = i + 1;
      let value = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) {
          field = value + text.slice(j);
          row.push(field);
          rows.push(row);
          lines.push(rowLine);
          return {
            rows,
            lines,
            delimiter,
            unclosedQuoteRow: startRow,
            unclosedQuoteLine: line,
            ...(textAfterQuoteLine === undefined ? {} : { textAfterQuoteLine }),
          };
        }
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        line += lineBreaks(text, i + 1, q);
        i = q + 1;
        break;
      }
      field = value;
      const next = text.charCodeAt(i);
      if (i < n && next !== d && next !== 10 && next !== 13) textAfterQuoteLine ??= line;
      continue;
    }
    if (c === d) {
      row.push(field);
      field = '';
      i++;
    } else if (c === 10 || c === 13) {
      endRow();
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      rowStart = i;
      line++;
      rowLine = line;
    } else {
      // Copy the run of ordinary characters at once.
      let j = i + 1;
      while (j < n) {
        const k = text.charCodeAt(j);
        if (k === d || k === 10 || k === 13) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || row.length > 0 || rowStart < n) endRow();
  return {
    rows,
    lines,
    delimiter,
    ...(textAfterQuoteLine === undefined ? {} : { textAfterQuoteLine }),
  };
}

/** Line breaks (CRLF, LF or CR) in text[from, to). */
function lineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13) {
      count++;
      if (text.charCodeAt(i + 1) === 10 && i + 1 < to) i++;
    }
  }
  return count;
}

/** A quote opens a quoted field only at the start of one. */
function atFieldStart(text: string, i: number, delimiter: number): boolean {
  if (i === 0) return true;
  const before = text.charCodeAt(i - 1);
  return before === delimiter || before === 10 || before === 13;
}

/** The delimiter occurring most often outside quotes in the first line; a comma on a tie. */
export function sniffDelimiter(text: string): string {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ',';
  for (const [d, count] of counts) if (count > (counts.get(best) ?? 0)) best = d;
  return best;
}
