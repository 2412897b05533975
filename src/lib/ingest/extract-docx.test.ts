import { describe, expect, test } from 'vitest';
import { markdownBlocks } from '../core/text/markdown-sections';
import { makeDocx } from '../../../test/make-files';
import { CorruptDocumentError } from './errors';
import { extractDocx } from './extract-docx';

describe('extractDocx', () => {
  test('keeps headings as Markdown headings, then paragraphs and tables', async () => {
    const docx = makeDocx([
      { style: 'Heading1', text: 'Employee handbook' },
      'Welcome to Orchard & Co.',
      { style: 'Heading2', text: 'Leave' },
      'Parental leave is 30 weeks.',
      {
        table: [
          ['Plan', 'Weeks'],
          ['A', '30'],
        ],
      },
    ]);
    const { text, format, warnings } = await extractDocx(docx, 'handbook.docx');
    expect(format).toBe('docx');
    expect(warnings).toEqual([]);
    expect(text).toBe(
      '# Employee handbook\n\nWelcome to Orchard & Co.\n\n## Leave\n\nParental leave is 30 weeks.' +
        '\n\n| Plan | Weeks |\n| --- | --- |\n| A | 30 |',
    );
    const leave = markdownBlocks(text).find((b) =>
      text.slice(b.start, b.end).startsWith('Parental'),
    );
    expect(leave?.headingPath).toEqual(['Employee handbook', 'Leave']);
  });

  test('a damaged .docx is reported as damaged, naming the file', async () => {
    const docx = makeDocx(['Text']);
    for (const bytes of [docx.slice(0, docx.length - 30), new Uint8Array([0x50, 0x4b, 3, 4, 0])]) {
      const error = await extractDocx(bytes, 'report.docx').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptDocumentError);
      expect((error as Error).message).toMatch(
        /^“report\.docx” could not be read as a Word document: it is damaged or incomplete.*\. Open it in Word \(or LibreOffice\) and save it again, then add it\.$/,
      );
    }
  });
});
