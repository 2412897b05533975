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
} from '../../../test/make-files';
import { detectType, extensionOf, formatFromName, looksLikeText } from './detect-type';

describe('detectType', () => {
  test('text formats come from the extension', () => {
    const text = utf8('hello');
    expect(detectType('a.md', text)).toEqual({ kind: 'document', format: 'markdown' });
    expect(detectType('a.TXT', text)).toEqual({ kind: 'document', format: 'plain' });
    expect(detectType('page.htm', text)).toEqual({ kind: 'document', format: 'html' });
    expect(detectType('table.tsv', text)).toEqual({ kind: 'document', format: 'csv' });
    expect(detectType('rows.jsonl', text)).toEqual({ kind: 'document', format: 'json' });
    expect(detectType('main.rs', text)).toEqual({
      kind: 'document',
      format: 'code',
      language: 'Rust',
    });
    expect(detectType('Dockerfile', text)).toEqual({
      kind: 'document',
      format: 'code',
      language: 'Dockerfile',
    });
  });

  test('content wins where it is certain, and says so', () => {
    const pdf = makePdf({ pages: [['x']] });
    expect(detectType('a.pdf', pdf)).toEqual({ kind: 'document', format: 'pdf' });
    expect(detectType('a.txt', pdf)).toEqual({
      kind: 'document',
      format: 'pdf',
      contentOverrides: 'a PDF',
    });
    expect(detectType('download', pdf)).toEqual({ kind: 'document', format: 'pdf' });
    expect(detectType('a.md', makeDocx(['x']))).toEqual({
      kind: 'document',
      format: 'docx',
      contentOverrides: 'a Word document (.docx)',
    });
  });

  test('a PDF header may follow up to a kilobyte of junk, as readers allow', () => {
    const junk = new Uint8Array(1000).fill(0x20);
    const pdf = makePdf({ pages: [['x']] });
    const shifted = new Uint8Array(junk.length + pdf.length);
    shifted.set(junk);
    shifted.set(pdf, junk.length);
    expect(detectType('a.pdf', shifted)).toMatchObject({ format: 'pdf' });
    expect(detectType('download', shifted)).toMatchObject({ format: 'pdf' });
  });

  test('text that mentions %PDF- near its start is still text', () => {
    const notes = utf8('# File formats\n\nEvery PDF starts with `%PDF-1.7`, then objects.\n');
    expect(detectType('notes.md', notes)).toEqual({ kind: 'document', format: 'markdown' });
  });

  test('programs are recognised whatever their name', () => {
    const elf = detectType('notes.md', makeElf());
    expect(elf).toMatchObject({ kind: 'binary', what: 'a Linux program (an ELF executable)' });
    expect(detectType('notes.md', makeExe())).toMatchObject({
      kind: 'binary',
      what: 'a Windows program (.exe or .dll)',
    });
    const macho = new Uint8Array(64);
    macho.set([0xcf, 0xfa, 0xed, 0xfe]);
    expect(detectType('tool', macho)).toMatchObject({
      what: 'a macOS program (a Mach-O executable)',
    });
  });

  test('text that merely starts with MZ is still text', () => {
    expect(detectType('names.txt', utf8('MZ Smith, 1984\nAB Jones\n'))).toEqual({
      kind: 'document',
      format: 'plain',
    });
  });

  test('images, archives and Office files other than .docx are named', () => {
    expect(detectType('scan.png', makePng())).toMatchObject({
      kind: 'binary',
      what: 'a PNG image',
    });
    expect(detectType('a.zip', makeZip({ 'a.txt': 'x' }))).toMatchObject({ what: 'a ZIP archive' });
    expect(detectType('b.xlsx', makeZip({ 'xl/workbook.xml': '' }))).toMatchObject({
      what: 'an Excel workbook',
    });
    expect(detectType('c.pptx', makeZip({ 'ppt/presentation.xml': '' }))).toMatchObject({
      what: 'a PowerPoint presentation',
    });
    const ole = new Uint8Array(512);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(detectType('old.doc', ole)).toMatchObject({
      what: 'a Word 97–2003 document or another legacy Office file',
    });
  });

  test('a password-protected Office document is recognised by its encrypted package', () => {
    const ole = new Uint8Array(2048);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const name = Array.from('EncryptedPackage', (c) => [c.charCodeAt(0), 0]).flat();
    ole.set(name, 1024);
    expect(detectType('secret.docx', ole)).toEqual({ kind: 'encrypted' });
  });

  test('a ZIP named .docx is read as one, so a damaged one is reported as damaged', () => {
    expect(detectType('cv.docx', makeZip({ 'a.txt': 'x' }))).toEqual({
      kind: 'document',
      format: 'docx',
    });
  });

  test('a .pdf or .docx that is not one inside is a mismatch', () => {
    expect(detectType('a.pdf', utf8('<html>404</html>'))).toEqual({
      kind: 'mismatch',
      expected: 'pdf',
      isText: true,
    });
    expect(detectType('a.docx', new Uint8Array([1, 0, 2, 0]))).toEqual({
      kind: 'mismatch',
      expected: 'docx',
      isText: false,
    });
  });

  test('unknown binary data is binary; unknown text extensions are unsupported', () => {
    const binary = new Uint8Array([1, 2, 0, 0, 3]);
    expect(detectType('x.md', binary)).toMatchObject({
      kind: 'binary',
      what: 'binary data, not text',
    });
    expect(detectType('x.xyz', utf8('words'))).toMatchObject({
      kind: 'unsupported',
      what: 'a .xyz file',
    });
    expect(detectType('x.svg', utf8('<svg/>'))).toMatchObject({ what: 'an SVG image' });
  });

  test('a name without an extension is read by its content', () => {
    expect(detectType('README', utf8('Read me'))).toEqual({ kind: 'document', format: 'plain' });
    expect(detectType('deploy', utf8('#!/usr/bin/env bash\necho hi\n'))).toEqual({
      kind: 'document',
      format: 'code',
      language: 'Shell',
    });
    expect(detectType('saved-page', utf8('<!DOCTYPE html><p>x'))).toEqual({
      kind: 'document',
      format: 'html',
    });
  });

  test('UTF-16 with a byte-order mark is text despite its NUL bytes', () => {
    const withBom = Uint8Array.from([0xff, 0xfe, 0x68, 0, 0x69, 0]);
    expect(looksLikeText(withBom)).toBe(true);
    expect(detectType('a.txt', withBom)).toEqual({ kind: 'document', format: 'plain' });
  });

  test('UTF-16 without a byte-order mark is text too', () => {
    for (const endian of ['le', 'be'] as const) {
      const bytes = utf16('Notes from a Windows tool.\r\n', endian);
      expect(looksLikeText(bytes)).toBe(true);
      expect(detectType('notes.txt', bytes)).toEqual({ kind: 'document', format: 'plain' });
    }
  });
});

describe('names', () => {
  test('extensionOf and formatFromName', () => {
    expect(extensionOf('Report.Final.PDF')).toBe('pdf');
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('folder/notes.md')).toBe('md');
    expect(formatFromName('x.markdown')).toBe('markdown');
    expect(formatFromName('x.docx')).toBe('docx');
    expect(formatFromName('x.go')).toBe('code');
    expect(formatFromName('README')).toBeUndefined();
  });
});
