import { describe, expect, test } from 'vitest';
import { makePdf } from '../../../test/make-files';
import { CorruptDocumentError, NoTextError, PasswordProtectedError } from './errors';
import { extractPdf } from './extract-pdf';

describe('extractPdf', () => {
  test('reads the text of each page and where each page starts', async () => {
    const pdf = makePdf({
      pages: [
        ['Orchard handbook', 'Picking starts in September.', '', 'Ladders are checked (yearly).'],
        ['Parental leave is 30 weeks.'],
        ['Russet apples \\ pears.'],
      ],
    });
    const { text, format, pageStarts, warnings } = await extractPdf(pdf, 'handbook.pdf');
    expect(format).toBe('pdf');
    expect(warnings).toEqual([]);
    // A gap wider than a line is a paragraph break; pages are separated by a blank line.
    expect(text).toBe(
      'Orchard handbook\nPicking starts in September.\n\nLadders are checked (yearly).\n\n' +
        'Parental leave is 30 weeks.\n\nRusset apples \\ pears.',
    );
    expect(pageStarts).toEqual([0, text.indexOf('Parental leave'), text.indexOf('Russet apples')]);
  });

  test('pages without text are left out with a warning; page numbers stay right', async () => {
    const pdf = makePdf({ pages: [['One'], [], ['Three']], imagePages: [2] });
    const { text, pageStarts, warnings } = await extractPdf(pdf, 'mixed.pdf');
    expect(text).toBe('One\n\nThree');
    expect(pageStarts).toEqual([0, 3, 5]);
    expect(warnings).toEqual([
      'Page 2 has no text (scanned images?) and is not searchable. Run the PDF through OCR to search it.',
    ]);
  });

  test('a scanned PDF (images only) says so and suggests OCR', async () => {
    const pdf = makePdf({ pages: [[], []], imagePages: [1, 2] });
    const error = await extractPdf(pdf, 'scan.pdf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoTextError);
    expect((error as Error).message).toBe(
      '“scan.pdf” has no text that can be read: its 2 pages look like scanned images. Grounded ' +
        'does not read text in images; run the PDF through OCR (text recognition, which many PDF ' +
        'and scanning apps offer), then add the result.',
    );
  });

  test('a password-protected PDF is recognised', async () => {
    const pdf = makePdf({ pages: [['Salaries']], userPassword: 'secret' });
    const error = await extractPdf(pdf, 'salaries.pdf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasswordProtectedError);
    expect((error as Error).message).toContain('“salaries.pdf” is protected by a password');
  });

  test('the encrypted fixture is a real one: its password opens it', async () => {
    await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const data = makePdf({ pages: [['Salaries']], userPassword: 'secret' });
    const pdf = await getDocument({ data, password: 'secret', verbosity: 0 }).promise;
    const content = await (await pdf.getPage(1)).getTextContent();
    expect(content.items.map((item) => ('str' in item ? item.str : ''))).toContain('Salaries');
    await pdf.destroy();
  });

  test('truncated and corrupt PDFs are called damaged', async () => {
    const whole = makePdf({ pages: [['Text']] });
    for (const [bytes, name] of [
      [whole.slice(0, 120), 'truncated.pdf'],
      [new TextEncoder().encode('%PDF-1.7\nnot really a pdf'), 'corrupt.pdf'],
    ] as const) {
      const error = await extractPdf(bytes, name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptDocumentError);
      expect((error as Error).message).toBe(
        `“${name}” could not be read as a PDF: it is damaged or incomplete (Invalid PDF ` +
          'structure). Download or export it again, then add it.',
      );
    }
  });
});
