import { describe, expect, test } from 'vitest';
import {
  BinaryContentError,
  EmptyDocumentError,
  UnsupportedFormatError,
  decodeText,
  formatFromName,
  readDocument,
  sha256Hex,
} from './read-document';

const blob = (...parts: BlobPart[]) => new Blob(parts);

describe('readDocument', () => {
  test('reads Markdown and plain text by extension, case-insensitively', async () => {
    expect((await readDocument(blob('# Title\n\nBody'), 'notes.MD')).format).toBe('markdown');
    expect((await readDocument(blob('plain words'), 'a.txt')).format).toBe('plain');
    expect(formatFromName('x.markdown')).toBe('markdown');
    expect(formatFromName('README')).toBeUndefined();
  });

  test('refuses other types, naming the file and what is supported', async () => {
    const error = await readDocument(blob('%PDF-1.7'), 'Quarterly report.pdf').catch((e) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toContain('“Quarterly report.pdf” is not supported yet (.pdf files)');
    expect(error.message).toContain('.txt');
  });

  test('empty and whitespace-only files get a clear error', async () => {
    await expect(readDocument(blob(''), 'empty.txt')).rejects.toBeInstanceOf(EmptyDocumentError);
    await expect(readDocument(blob(' \n\t\n'), 'blank.md')).rejects.toThrow(
      '“blank.md” contains only whitespace',
    );
  });

  test('binary data under a text extension is recognised', async () => {
    const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]);
    const error = await readDocument(blob(bytes), 'program.md').catch((e) => e);
    expect(error).toBeInstanceOf(BinaryContentError);
    expect(error.message).toContain('“program.md”');
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

  test('strips a UTF-8 byte-order mark', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('hello')]);
    expect(decodeText(bytes)).toEqual({ text: 'hello', replaced: 0 });
  });

  test('invalid UTF-8 is replaced and the document gets a warning', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('caf'), 0xe9, 0x20, 0x6f, 0x6b]);
    const read = await readDocument(blob(bytes), 'latin1.txt');
    expect(read.text).toBe('caf\uFFFD ok');
    expect(read.warnings).toEqual(['1 invalid byte sequence was replaced with �.']);
  });

  test('a genuine U+FFFD in valid UTF-8 is not a warning', async () => {
    const read = await readDocument(blob('a \uFFFD b'), 'ok.txt');
    expect(read.warnings).toEqual([]);
  });

  test('hashes the bytes with SHA-256, so the same content is recognised', async () => {
    const a = await readDocument(blob('same text'), 'a.txt');
    const b = await readDocument(blob('same text'), 'b.md');
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.contentHash).toBe(await sha256Hex(new TextEncoder().encode('same text')));
    expect(await sha256Hex(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
