import { describe, expect, test } from 'vitest';
import {
  makeDocx,
  makeElf,
  makeExe,
  makePdf,
  makePng,
  makeZip,
  utf16,
  utf8,
  windows1252,
} from '../../../test/make-files';
import { decodeText } from './decode-text';
import {
  BinaryContentError,
  CorruptDocumentError,
  EmptyDocumentError,
  FileTooLargeError,
  NoTextError,
  PasswordProtectedError,
  UnsupportedFormatError,
} from './errors';
import { MAX_DOCUMENT_BYTES, readDocument, sha256Hex } from './read-document';

const blob = (...parts: BlobPart[]) => new Blob(parts);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the read to fail');
    },
    (error: unknown) => error as Error,
  );

describe('readDocument', () => {
  test('reads Markdown and plain text by extension, case-insensitively', async () => {
    expect((await readDocument(blob('# Title\n\nBody'), 'notes.MD')).format).toBe('markdown');
    expect((await readDocument(blob('plain words'), 'a.txt')).format).toBe('plain');
  });

  test('reads every supported format through one entry point', async () => {
    const pdf = await readDocument(blob(makePdf({ pages: [['Hello PDF']] })), 'a.pdf');
    expect(pdf).toMatchObject({ format: 'pdf', text: 'Hello PDF', pageStarts: [0] });
    const docx = await readDocument(blob(makeDocx(['Hello Word'])), 'a.docx');
    expect(docx).toMatchObject({ format: 'docx', text: 'Hello Word' });
    const html = await readDocument(blob('<p>Hello <b>HTML</b></p>'), 'a.html');
    expect(html).toMatchObject({ format: 'html', text: 'Hello HTML' });
    const csv = await readDocument(blob('name,age\nAda,36\n'), 'a.csv');
    expect(csv).toMatchObject({ format: 'csv', text: 'Row 2\nname: Ada\nage: 36' });
    const json = await readDocument(blob('[{"name":"Ada"}]'), 'a.json');
    expect(json).toMatchObject({ format: 'json', text: 'Record 1\nname: Ada' });
    const code = await readDocument(blob('def f():\n    return 1\n'), 'f.py');
    expect(code).toMatchObject({ format: 'code', language: 'Python' });
    for (const read of [pdf, docx, html, csv, json, code]) expect(read.warnings).toEqual([]);
  });

  test('decides the type from the content when it is certain: a PDF renamed .txt is a PDF', async () => {
    const read = await readDocument(blob(makePdf({ pages: [['Renamed']] })), 'minutes.txt');
    expect(read).toMatchObject({ format: 'pdf', text: 'Renamed' });
    expect(read.warnings).toEqual([
      'Read as a PDF, which is what it contains, despite its .txt name.',
    ]);
    const docx = await readDocument(blob(makeDocx(['Zipped'])), 'notes.md');
    expect(docx).toMatchObject({ format: 'docx', text: 'Zipped' });
  });

  test('refuses a program renamed .md, naming the file and what it is', async () => {
    for (const [bytes, what] of [
      [makeElf(), 'a Linux program'],
      [makeExe(), 'a Windows program'],
    ] as const) {
      const error = await failure(readDocument(blob(bytes), 'setup.md'));
      expect(error).toBeInstanceOf(BinaryContentError);
      expect(error.message).toContain('“setup.md” is not a document Grounded can read');
      expect(error.message).toContain(what);
      expect(error.message).toContain('despite its .md name');
    }
  });

  test('refuses binary data under a text extension', async () => {
    const bytes = new Uint8Array([0x41, 0x42, 0, 0, 1, 2, 3, 0x43]);
    const error = await failure(readDocument(blob(bytes), 'data.txt'));
    expect(error).toBeInstanceOf(BinaryContentError);
    expect(error.message).toContain('“data.txt” is not a document Grounded can read');
  });

  test('refuses unsupported types by name, saying what to do instead', async () => {
    const cases: [BlobPart, string, string][] = [
      [makePng(), 'photo.png', 'OCR'],
      [makeExe(), 'setup.exe', 'a Windows program'],
      [makeZip({ 'a.txt': 'x' }), 'bundle.zip', 'Extract it'],
      [makeZip({ 'xl/workbook.xml': '<workbook/>' }), 'budget.xlsx', 'Save each sheet'],
      ['{\\rtf1\\ansi Hello}', 'letter.rtf', '.docx'],
      ['plain words', 'notes.xyz', 'rename it to end in .txt'],
    ];
    for (const [content, name, advice] of cases) {
      const error = await failure(readDocument(blob(content), name));
      expect(error, name).toBeInstanceOf(UnsupportedFormatError);
      expect(error.message).toContain(`“${name}”`);
      expect(error.message).toContain(advice);
    }
  });

  test('a .pdf or .docx that is not one inside is called damaged, not unsupported', async () => {
    const html = await failure(readDocument(blob('<html>Error 404</html>'), 'report.pdf'));
    expect(html).toBeInstanceOf(CorruptDocumentError);
    expect(html.message).toBe(
      '“report.pdf” is not a PDF: it holds text (perhaps a web page saved by a failed download). ' +
        'Download or export it again, then add it.',
    );
    const truncated = makeDocx(['Hello']).subarray(0, 40);
    const docx = await failure(readDocument(blob(truncated), 'cv.docx'));
    expect(docx).toBeInstanceOf(CorruptDocumentError);
    expect(docx.message).toContain('“cv.docx”');
  });

  test('password-protected and image-only PDFs get their own errors', async () => {
    const locked = makePdf({ pages: [['Secret']], userPassword: 'pw' });
    expect(await failure(readDocument(blob(locked), 'locked.pdf'))).toBeInstanceOf(
      PasswordProtectedError,
    );
    const scan = makePdf({ pages: [[]], imagePages: [1] });
    const error = await failure(readDocument(blob(scan), 'scan.pdf'));
    expect(error).toBeInstanceOf(NoTextError);
    expect(error.message).toContain('OCR');
  });

  test('empty and whitespace-only files get a clear error', async () => {
    await expect(readDocument(blob(''), 'empty.txt')).rejects.toBeInstanceOf(EmptyDocumentError);
    await expect(readDocument(blob(''), 'empty.pdf')).rejects.toThrow('“empty.pdf” is empty');
    await expect(readDocument(blob(' \n\t\n'), 'blank.md')).rejects.toThrow(
      '“blank.md” contains only whitespace',
    );
    await expect(readDocument(blob('<script>x()</script>'), 'blank.html')).rejects.toThrow(
      '“blank.html” has no visible text to search, only markup, scripts or images.',
    );
    await expect(readDocument(blob('{}'), 'blank.json')).rejects.toThrow(
      '“blank.json” holds no values: there is nothing to search.',
    );
    const deep = `${'['.repeat(100)}"x"${']'.repeat(100)}`;
    await expect(readDocument(blob(deep), 'deep.json')).rejects.toThrow(
      '“deep.json” holds its values only more than 64 levels deep',
    );
  });

  test('refuses files over the size limit without reading them', async () => {
    expect(MAX_DOCUMENT_BYTES).toBe(100_000_000);
    const big = blob(new Uint8Array(2001));
    // A Blob whose bytes would fail to read: the size alone must decide.
    big.arrayBuffer = () => Promise.reject(new Error('read'));
    const error = await failure(readDocument(big, 'huge.txt', { maxBytes: 2000 }));
    expect(error).toBeInstanceOf(FileTooLargeError);
    expect(error.message).toBe(
      '“huge.txt” is 2.0 KB, more than the 2.0 KB a document may be. ' +
        'Split it into smaller files and add those.',
    );
    expect((await readDocument(blob('ok'), 'small.txt', { maxBytes: 2 })).text).toBe('ok');
  });

  test('decodes UTF-16 with a byte-order mark', async () => {
    const text = 'Grüße, 世界 🌍';
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      le[2 + i * 2] = code & 0xff;
      le[3 + i * 2] = code >> 8;
    }
    expect((await readDocument(blob(le), 'utf16.txt')).text).toBe(text);
  });

  test('strips a UTF-8 byte-order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('hello')]);
    expect(decodeText(bytes)).toEqual({ text: 'hello', replaced: 0 });
  });

  test('invalid UTF-8 is replaced and the document gets a warning', async () => {
    const bytes = new Uint8Array([...utf8('naïve '), 0xe9, 0x20, 0x6f, 0x6b]);
    const read = await readDocument(blob(bytes), 'damaged.txt');
    expect(read.text).toBe('naïve \uFFFD ok');
    expect(read.warnings).toEqual([
      '1 invalid byte sequence was replaced with �: the file is not entirely UTF-8. ' +
        'Save it as UTF-8 and add it again for the exact text.',
    ]);
  });

  test('legacy encodings are read as what they are, with the encoding assumed named', async () => {
    const text = 'Prix : 12 € — café crème\n';
    const latin = await readDocument(blob(windows1252(text)), 'prix.txt');
    expect(latin.text).toBe(text);
    expect(latin.warnings).toEqual([expect.stringMatching(/^Read as Windows-1252 /)]);
    const wide = await readDocument(blob(utf16(text, 'le')), 'prix.md');
    expect(wide).toMatchObject({ text, format: 'markdown' });
    expect(wide.warnings).toEqual([expect.stringMatching(/^Read as UTF-16 little-endian: /)]);
    const csv = await readDocument(blob(windows1252('article;prix\ncafé;2 €\n')), 'p.csv');
    expect(csv.text).toBe('Row 2\narticle: café\nprix: 2 €');
    expect(csv.warnings).toEqual([expect.stringMatching(/^Read as Windows-1252 /)]);
  });

  test('a genuine U+FFFD in valid UTF-8 is not a warning', async () => {
    const read = await readDocument(blob('a \uFFFD b'), 'ok.txt');
    expect(read.warnings).toEqual([]);
  });

  test('hashes the bytes with SHA-256, so the same content is recognised', async () => {
    const a = await readDocument(blob('same text'), 'a.txt');
    const b = await readDocument(blob('same text'), 'b.md');
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.contentHash).toBe(await sha256Hex(utf8('same text')));
    expect(await sha256Hex(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const pdf = makePdf({ pages: [['Hash me']] });
    expect((await readDocument(blob(pdf), 'p.pdf')).contentHash).toBe(await sha256Hex(pdf));
  });
});
