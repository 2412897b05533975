/**
 * Small, real files built by the tests themselves: PDFs written object by object (one encrypted
 * with a password, as Acrobat's 40-bit RC4 does it), .docx files zipped from WordprocessingML,
 * and the bytes of programs and images. The unit tests and the browser tests share them, so both
 * read the same bytes. Node only (node:crypto).
 */

import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';

/** Bytes on their own ArrayBuffer, as Blob and fetch want them. */
type Bytes = Uint8Array<ArrayBuffer>;

// ---------------------------------------------------------------------------------------------
// PDF

export interface PdfOptions {
  /** Each page's lines of text, in Helvetica (WinAnsi: Latin-1 text only); '' leaves a gap. */
  pages: string[][];
  /** Pages drawn as an image instead of text, as a scanner makes them (1-based numbers). */
  imagePages?: number[];
  /** Encrypts with the PDF standard security handler (revision 2, RC4 40-bit). */
  userPassword?: string;
}

const PDF_PADDING = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08,
  0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

function latin1(text: string): Bytes {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function concat(parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function md5(...parts: Uint8Array[]): Bytes {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

function rc4(key: Uint8Array, data: Uint8Array): Bytes {
  const s = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

function padPassword(password: string): Bytes {
  return concat([latin1(password), PDF_PADDING]).subarray(0, 32);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A PDF string literal, with its delimiters escaped. */
function pdfString(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** A valid PDF 1.4: catalog, page tree, Helvetica, one content stream per page, a correct xref. */
export function makePdf({ pages, imagePages = [], userPassword }: PdfOptions): Bytes {
  // Objects: 1 catalog, 2 page tree, 3 font, 4 image, then per page a page and its contents.
  const pageObject = (i: number) => 5 + i * 2;
  const objects = new Map<number, { dict: string; stream?: Uint8Array }>();
  objects.set(1, { dict: '<< /Type /Catalog /Pages 2 0 R >>' });
  const kids = pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ');
  objects.set(2, { dict: `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>` });
  objects.set(3, {
    dict: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  });
  // A 2×2 grey "scan".
  objects.set(4, {
    dict: '<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8',
    stream: Uint8Array.from([0x20, 0xe0, 0xe0, 0x20]),
  });
  pages.forEach((lines, i) => {
    const content = imagePages.includes(i + 1)
      ? 'q 612 0 0 792 0 0 cm /Im1 Do Q'
      : [
          'BT /F1 12 Tf 16 TL 72 720 Td',
          ...lines.map((line) => (line === '' ? 'T*' : `${pdfString(line)} Tj T*`)),
          'ET',
        ].join('\n');
    objects.set(pageObject(i), {
      dict:
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ' +
        `/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> /Contents ${pageObject(i) + 1} 0 R >>`,
    });
    objects.set(pageObject(i) + 1, { dict: '<<', stream: latin1(content) });
  });

  const id = md5(latin1(JSON.stringify(pages)));
  let encrypt: { key: Uint8Array; object: number } | undefined;
  if (userPassword !== undefined) {
    const permissions = -4;
    const owner = rc4(md5(padPassword('owner')).subarray(0, 5), padPassword(userPassword));
    const p = new Uint8Array(4);
    new DataView(p.buffer).setInt32(0, permissions, true);
    const key = md5(padPassword(userPassword), owner, p, id).subarray(0, 5);
    const user = rc4(key, PDF_PADDING);
    const object = pageObject(pages.length);
    objects.set(object, {
      dict:
        `<< /Filter /Standard /V 1 /R 2 /O <${hex(owner)}> /U <${hex(user)}> ` +
        `/P ${permissions} >>`,
    });
    encrypt = { key, object };
  }

  const parts: Uint8Array[] = [latin1('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  const numbers = [...objects.keys()].sort((a, b) => a - b);
  for (const number of numbers) {
    const { dict, stream } = objects.get(number)!;
    let data = stream;
    if (data && encrypt && number !== encrypt.object) {
      const objectKey = md5(
        encrypt.key,
        Uint8Array.from([number & 0xff, (number >> 8) & 0xff, number >> 16, 0, 0]),
      ).subarray(0, 10);
      data = rc4(objectKey, data);
    }
    const body = data
      ? concat([
          latin1(`${number} 0 obj\n${dict.replace(/>>$/, '')} /Length ${data.length} >>\nstream\n`),
          data,
          latin1('\nendstream\nendobj\n'),
        ])
      : latin1(`${number} 0 obj\n${dict}\nendobj\n`);
    offsets[number] = length;
    parts.push(body);
    length += body.length;
  }
  const size = Math.max(...numbers) + 1;
  const xref = ['xref', `0 ${size}`, '0000000000 65535 f '];
  for (let n = 1; n < size; n++) {
    xref.push(
      offsets[n] === undefined
        ? '0000000000 65535 f '
        : `${String(offsets[n]).padStart(10, '0')} 00000 n `,
    );
  }
  const trailer =
    `trailer\n<< /Size ${size} /Root 1 0 R /ID [<${hex(id)}> <${hex(id)}>]` +
    `${encrypt ? ` /Encrypt ${encrypt.object} 0 R` : ''} >>\n`;
  parts.push(latin1(`${xref.join('\n')}\n${trailer}startxref\n${length}\n%%EOF\n`));
  return concat(parts);
}

// ---------------------------------------------------------------------------------------------
// DOCX

export type DocxParagraph =
  | string
  | { style: 'Heading1' | 'Heading2' | 'Heading3' | 'Title'; text: string }
  | { table: string[][] };

function xmlText(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function docxParagraph(paragraph: DocxParagraph): string {
  if (typeof paragraph === 'string') {
    return `<w:p><w:r><w:t xml:space="preserve">${xmlText(paragraph)}</w:t></w:r></w:p>`;
  }
  if ('table' in paragraph) {
    const rows = paragraph.table.map(
      (row) => `<w:tr>${row.map((cell) => `<w:tc>${docxParagraph(cell)}</w:tc>`).join('')}</w:tr>`,
    );
    return `<w:tbl>${rows.join('')}</w:tbl>`;
  }
  return (
    `<w:p><w:pPr><w:pStyle w:val="${paragraph.style}"/></w:pPr>` +
    `<w:r><w:t xml:space="preserve">${xmlText(paragraph.text)}</w:t></w:r></w:p>`
  );
}

/** A minimal .docx (Office Open XML) that Word and mammoth open: headings by style id. */
export function makeDocx(paragraphs: DocxParagraph[]): Bytes {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const files = {
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      '</Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
      '</Relationships>',
    'word/document.xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      `<w:document xmlns:w="${W}"><w:body>${paragraphs.map(docxParagraph).join('')}</w:body></w:document>`,
  };
  return makeZip(files);
}

/** Any ZIP archive, for files that are ZIPs but not Word documents. */
export function makeZip(files: Record<string, string>): Bytes {
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([n, t]) => [n, strToU8(t)])));
  return new Uint8Array(zip);
}

// ---------------------------------------------------------------------------------------------
// Programs and other binary data

/** The first bytes of a 64-bit Linux program: ELF header, then zeros. */
export function makeElf(): Bytes {
  const bytes = new Uint8Array(256);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  bytes.set([2, 0, 0x3e, 0], 16); // executable, x86-64
  return bytes;
}

/** The start of a Windows program: an MZ header pointing at a PE header. */
export function makeExe(): Bytes {
  const bytes = new Uint8Array(512);
  bytes.set(latin1('MZ'));
  bytes.set(latin1('This program cannot be run in DOS mode.'), 0x4e);
  bytes[0x3c] = 0x80;
  bytes.set(latin1('PE\0\0'), 0x80);
  bytes.set([0x64, 0x86], 0x84); // x86-64
  return bytes;
}

/** A 1×1 PNG's signature and header. */
export function makePng(): Bytes {
  return concat([
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Uint8Array.from([0, 0, 0, 13]),
    latin1('IHDR'),
    Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]),
  ]);
}

/** Text as UTF-8 bytes. */
export function utf8(text: string): Bytes {
  return new TextEncoder().encode(text);
}

/** Windows-1252's characters outside Latin-1, by byte (0x80–0x9F). */
const WINDOWS_1252_EXTRA: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  '„': 0x84,
  '…': 0x85,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '™': 0x99,
  œ: 0x9c,
  Œ: 0x8c,
};

/** Text in Windows-1252, as a Western European Windows editor saves it; throws on others. */
export function windows1252(text: string): Bytes {
  return Uint8Array.from(text, (char) => {
    const code = char.charCodeAt(0);
    const byte =
      WINDOWS_1252_EXTRA[char] ?? (code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : -1);
    if (byte < 0) throw new RangeError(`${char} is not in Windows-1252`);
    return byte;
  });
}

/** Text in UTF-16, without a byte-order mark unless `bom`. */
export function utf16(text: string, endian: 'le' | 'be', bom = false): Bytes {
  const bytes = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
  const view = new DataView(bytes.buffer);
  const units = bom ? `\uFEFF${text}` : text;
  for (let i = 0; i < units.length; i++)
    view.setUint16(i * 2, units.charCodeAt(i), endian === 'le');
  return bytes;
}
