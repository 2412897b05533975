/**
 * What a file is, from its first bytes and its name. Content wins over the name where content is
 * certain (a PDF renamed .txt is a PDF; a program renamed .md is a program); the name decides
 * between kinds of text (.md, .html, .csv, source code), which bytes cannot tell apart.
 */

import type { DocumentFormat } from '../core/text/document-format';
import { utf16WithoutBom } from './decode-text';

export type FileType =
  /** Something Grounded reads. `language` for source code; `contentOverrides` when the bytes
   * said what the name did not, e.g. a PDF named .txt: the user should know. */
  | { kind: 'document'; format: DocumentFormat; language?: string; contentOverrides?: string }
  /** Not text: `what` names it ("a Windows program"), `advice` says what to do instead. */
  | { kind: 'binary'; what: string; advice: string }
  /** Text, under an extension Grounded does not read (.rtf, .svg, …). */
  | { kind: 'unsupported'; what: string; advice: string }
  /** Named .pdf or .docx but not one inside: damaged, or a web page saved by a failed download. */
  | { kind: 'mismatch'; expected: 'pdf' | 'docx'; isText: boolean }
  /** An Office document encrypted with a password (Office wraps those in a legacy container). */
  | { kind: 'encrypted' };

/** The extensions Grounded reads, by format; code extensions are in `CODE_LANGUAGES`. */
const TEXT_EXTENSIONS: Record<string, DocumentFormat> = {
  md: 'markdown',
  markdown: 'markdown',
  mdown: 'markdown',
  mkd: 'markdown',
  txt: 'plain',
  text: 'plain',
  log: 'plain',
  rst: 'plain',
  adoc: 'plain',
  org: 'plain',
  tex: 'plain',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  csv: 'csv',
  tsv: 'csv',
  json: 'json',
  jsonl: 'json',
  ndjson: 'json',
};

/** Source code, read as plain text with its language noted. */
export const CODE_LANGUAGES: Record<string, string> = {
  js: 'JavaScript',
  mjs: 'JavaScript',
  cjs: 'JavaScript',
  jsx: 'JavaScript',
  ts: 'TypeScript',
  mts: 'TypeScript',
  cts: 'TypeScript',
  tsx: 'TypeScript',
  py: 'Python',
  pyi: 'Python',
  java: 'Java',
  kt: 'Kotlin',
  kts: 'Kotlin',
  scala: 'Scala',
  groovy: 'Groovy',
  gradle: 'Groovy',
  c: 'C',
  h: 'C',
  cc: 'C++',
  cpp: 'C++',
  cxx: 'C++',
  hpp: 'C++',
  hh: 'C++',
  hxx: 'C++',
  cs: 'C#',
  go: 'Go',
  rs: 'Rust',
  rb: 'Ruby',
  php: 'PHP',
  pl: 'Perl',
  pm: 'Perl',
  swift: 'Swift',
  m: 'Objective-C',
  mm: 'Objective-C++',
  r: 'R',
  jl: 'Julia',
  lua: 'Lua',
  dart: 'Dart',
  ex: 'Elixir',
  exs: 'Elixir',
  erl: 'Erlang',
  hs: 'Haskell',
  ml: 'OCaml',
  fs: 'F#',
  clj: 'Clojure',
  zig: 'Zig',
  sol: 'Solidity',
  sh: 'Shell',
  bash: 'Shell',
  zsh: 'Shell',
  fish: 'Shell',
  ps1: 'PowerShell',
  bat: 'Batch',
  cmd: 'Batch',
  css: 'CSS',
  scss: 'Sass',
  sass: 'Sass',
  less: 'Less',
  sql: 'SQL',
  vue: 'Vue',
  svelte: 'Svelte',
  astro: 'Astro',
  yaml: 'YAML',
  yml: 'YAML',
  toml: 'TOML',
  ini: 'INI',
  cfg: 'INI',
  conf: 'INI',
  xml: 'XML',
  proto: 'Protocol Buffers',
  graphql: 'GraphQL',
  gql: 'GraphQL',
  tf: 'Terraform',
};

/** Files known by their whole name. */
const CODE_FILE_NAMES: Record<string, string> = {
  makefile: 'Makefile',
  gnumakefile: 'Makefile',
  dockerfile: 'Dockerfile',
  containerfile: 'Dockerfile',
  jenkinsfile: 'Groovy',
  gemfile: 'Ruby',
  rakefile: 'Ruby',
};

/** Text that Grounded does not read, and what to do instead. */
const UNSUPPORTED_TEXT: Record<string, { what: string; advice: string }> = {
  rtf: {
    what: 'a Rich Text (RTF) document',
    advice: 'Save it as .docx, PDF or plain text and add that.',
  },
  svg: { what: 'an SVG image', advice: 'Grounded reads documents, not images.' },
  eml: { what: 'an e-mail message', advice: 'Save the message as PDF or plain text and add that.' },
  ipynb: {
    what: 'a Jupyter notebook',
    advice: 'Export it as HTML, PDF or a Python script and add that.',
  },
};

export const SUPPORTED_SUMMARY =
  'Grounded reads .txt, .md, .html, .pdf, .docx, .csv, .json and source code files.';

export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** The format a name promises, before looking at the bytes; undefined when it promises none. */
export function formatFromName(name: string): DocumentFormat | undefined {
  const ext = extensionOf(name);
  if (ext === 'pdf') return 'pdf';
  if (ext === 'docx') return 'docx';
  if (TEXT_EXTENSIONS[ext]) return TEXT_EXTENSIONS[ext];
  if (CODE_LANGUAGES[ext] || CODE_FILE_NAMES[baseName(name).toLowerCase()]) return 'code';
  return undefined;
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

interface Signature {
  what: string;
  advice: string;
  matches(bytes: Uint8Array): boolean;
}

const IMAGE_ADVICE =
  'Grounded reads text only: to search the words in an image, run it through OCR (text recognition) first and add the text.';
const ARCHIVE_ADVICE = 'Extract it and add the documents inside.';
const PROGRAM_ADVICE = 'Grounded reads documents only; check that you picked the right file.';
const MEDIA_ADVICE = 'Grounded reads text only; add a transcript instead.';

/** `pattern` at `offset`; `?` in a string pattern matches any byte. */
function at(bytes: Uint8Array, offset: number, pattern: string | number[]): boolean {
  const codes = typeof pattern === 'string' ? Array.from(pattern, (c) => c.charCodeAt(0)) : pattern;
  if (bytes.length < offset + codes.length) return false;
  return codes.every((c, i) => c === 63 || bytes[offset + i] === c);
}

const SIGNATURES: Signature[] = [
  {
    what: 'a Linux program (an ELF executable)',
    advice: PROGRAM_ADVICE,
    matches: (b) => at(b, 0, [0x7f, 0x45, 0x4c, 0x46]),
  },
  { what: 'a Windows program (.exe or .dll)', advice: PROGRAM_ADVICE, matches: isWindowsProgram },
  {
    what: 'a macOS program (a Mach-O executable)',
    advice: PROGRAM_ADVICE,
    matches: (b) =>
      [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xcf, 0xfa, 0xed, 0xfe],
      ].some((m) => at(b, 0, m)),
  },
  {
    // Both a universal (fat) Mach-O binary and a Java class file start with CAFEBABE.
    what: 'a compiled program (a Mach-O universal binary or a Java class file)',
    advice: PROGRAM_ADVICE,
    matches: (b) => at(b, 0, [0xca, 0xfe, 0xba, 0xbe]),
  },
  {
    what: 'a WebAssembly module',
    advice: PROGRAM_ADVICE,
    matches: (b) => at(b, 0, [0, 0x61, 0x73, 0x6d]),
  },
  {
    what: 'a Word 97–2003 document or another legacy Office file',
    advice: 'Open it and save it as .docx or PDF, then add that.',
    matches: isOfficeContainer,
  },
  { what: 'a PNG image', advice: IMAGE_ADVICE, matches: (b) => at(b, 0, '\x89PNG\r\n\x1a\n') },
  { what: 'a JPEG image', advice: IMAGE_ADVICE, matches: (b) => at(b, 0, [0xff, 0xd8, 0xff]) },
  {
    what: 'a GIF image',
    advice: IMAGE_ADVICE,
    matches: (b) => at(b, 0, 'GIF87a') || at(b, 0, 'GIF89a'),
  },
  { what: 'a WebP image', advice: IMAGE_ADVICE, matches: (b) => at(b, 0, 'RIFF????WEBP') },
  {
    what: 'a TIFF image',
    advice: IMAGE_ADVICE,
    matches: (b) => at(b, 0, [0x49, 0x49, 0x2a, 0]) || at(b, 0, [0x4d, 0x4d, 0, 0x2a]),
  },
  {
    what: 'a HEIC or AVIF image',
    advice: IMAGE_ADVICE,
    matches: (b) => ['heic', 'heix', 'mif1', 'avif'].some((brand) => at(b, 4, `ftyp${brand}`)),
  },
  {
    what: 'an audio or video file',
    advice: MEDIA_ADVICE,
    matches: (b) =>
      at(b, 4, 'ftyp') ||
      (at(b, 0, 'ID3') && (b[3] ?? 0) >= 2 && (b[3] ?? 0) <= 4) ||
      at(b, 0, 'OggS') ||
      at(b, 0, 'fLaC') ||
      at(b, 0, 'RIFF????WAVE') ||
      at(b, 0, 'RIFF????AVI ') ||
      at(b, 0, [0x1a, 0x45, 0xdf, 0xa3]),
  },
  {
    what: 'a compressed archive',
    advice: ARCHIVE_ADVICE,
    matches: (b) =>
      at(b, 0, [0x1f, 0x8b]) ||
      at(b, 0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) ||
      at(b, 0, 'Rar!\x1a\x07') ||
      at(b, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]) ||
      at(b, 0, [0x28, 0xb5, 0x2f, 0xfd]),
  },
  {
    what: 'an SQLite database',
    advice: 'Export the table you need as CSV and add that.',
    matches: (b) => at(b, 0, 'SQLite format 3\0'),
  },
];

/** The Compound File container of .doc, .xls and password-protected Office documents. */
function isOfficeContainer(b: Uint8Array): boolean {
  return at(b, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
}

/** Whether `text` appears in UTF-16LE, as Compound File directory entries name their streams. */
function containsUtf16(bytes: Uint8Array, text: string): boolean {
  const needle = Array.from(text).join('\0');
  const window = 1024 * 1024;
  const latin1 = new TextDecoder('latin1');
  if (latin1.decode(bytes.subarray(0, window)).includes(needle)) return true;
  return bytes.length > window && latin1.decode(bytes.subarray(-window)).includes(needle);
}

/** An MZ header whose PE offset points at "PE\0\0". */
function isWindowsProgram(b: Uint8Array): boolean {
  if (!at(b, 0, 'MZ') || b.length < 64) return false;
  const pe = (b[60] ?? 0) | ((b[61] ?? 0) << 8) | ((b[62] ?? 0) << 16) | ((b[63] ?? 0) << 24);
  return pe >= 64 && at(b, pe, 'PE\0\0');
}

/**
 * A PDF starts with `%PDF-`. Readers also accept the header anywhere in the first kilobyte (after
 * junk some tools prepend); text that merely mentions `%PDF-` near its start must stay text, so
 * a header after the start counts only when the name says .pdf or the file ends like a PDF.
 */
export function looksLikePdf(bytes: Uint8Array, namedPdf = false): boolean {
  if (at(bytes, 0, '%PDF-')) return true;
  const limit = Math.min(bytes.length, 1024) - 5;
  let found = false;
  for (let i = 1; i <= limit && !found; i++) found = bytes[i] === 0x25 && at(bytes, i, '%PDF-');
  if (!found) return false;
  return namedPdf || new TextDecoder('latin1').decode(bytes.subarray(-1024)).includes('%%EOF');
}

function isZip(bytes: Uint8Array): boolean {
  return at(bytes, 0, 'PK\x03\x04') || at(bytes, 0, 'PK\x05\x06');
}

/**
 * The names a ZIP archive holds are in its local headers (from the start) and its central
 * directory (at the end); the bytes at both ends, as Latin-1, show them without unzipping.
 */
function zipEnds(bytes: Uint8Array): string {
  const window = 64 * 1024;
  const latin1 = new TextDecoder('latin1');
  const head = latin1.decode(bytes.subarray(0, window));
  return bytes.length > window ? head + latin1.decode(bytes.subarray(-window)) : head;
}

function zipType(bytes: Uint8Array): FileType {
  const ends = zipEnds(bytes);
  if (ends.includes('word/document.xml')) return { kind: 'document', format: 'docx' };
  if (ends.includes('xl/workbook.xml')) {
    return {
      kind: 'binary',
      what: 'an Excel workbook',
      advice: 'Save each sheet you need as CSV (File › Save As › CSV) and add those.',
    };
  }
  if (ends.includes('ppt/presentation.xml')) {
    return {
      kind: 'binary',
      what: 'a PowerPoint presentation',
      advice: 'Export it as PDF and add that.',
    };
  }
  if (ends.includes('application/vnd.oasis.opendocument')) {
    return {
      kind: 'binary',
      what: 'an OpenDocument file',
      advice: 'Save it as .docx, PDF or CSV and add that.',
    };
  }
  if (ends.includes('application/epub+zip')) {
    return { kind: 'binary', what: 'an EPUB e-book', advice: 'Convert it to PDF and add that.' };
  }
  return { kind: 'binary', what: 'a ZIP archive', advice: ARCHIVE_ADVICE };
}

/**
 * Text, as far as the first 8 KB tell: no NUL byte, few control characters; or UTF-16, with a
 * byte-order mark or the zero bytes that give it away without one.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (hasUtf16Bom(bytes) || utf16WithoutBom(bytes)) return true;
  const head = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    // Tab, line feed, vertical tab, form feed, carriage return and escape appear in real text.
    if (b < 32 && (b < 9 || b > 13) && b !== 27) control++;
  }
  return control <= head.length * 0.05;
}

function hasUtf16Bom(bytes: Uint8Array): boolean {
  return at(bytes, 0, [0xff, 0xfe]) || at(bytes, 0, [0xfe, 0xff]);
}

const SHEBANG_LANGUAGES: [RegExp, string][] = [
  [/\bpython/, 'Python'],
  [/\b(?:ba|z|k)?sh\b/, 'Shell'],
  [/\bnode\b|\bdeno\b|\bbun\b/, 'JavaScript'],
  [/\bruby\b/, 'Ruby'],
  [/\bperl\b/, 'Perl'],
];

/** What `bytes`, the whole file or at least its first and last 64 KB, named `name`, is. */
export function detectType(name: string, bytes: Uint8Array): FileType {
  const ext = extensionOf(name);
  const byName = formatFromName(name);
  const differs = (format: DocumentFormat) => byName !== undefined && byName !== format;

  if (looksLikePdf(bytes, byName === 'pdf')) {
    return {
      kind: 'document',
      format: 'pdf',
      ...(differs('pdf') && { contentOverrides: 'a PDF' }),
    };
  }
  if (isZip(bytes)) {
    // A ZIP named .docx is read as one: if it is damaged, the reader says so.
    const type: FileType =
      byName === 'docx' ? { kind: 'document', format: 'docx' } : zipType(bytes);
    if (type.kind === 'document' && differs('docx')) {
      return { ...type, contentOverrides: 'a Word document (.docx)' };
    }
    return type;
  }
  if (isOfficeContainer(bytes) && containsUtf16(bytes, 'EncryptedPackage')) {
    return { kind: 'encrypted' };
  }
  for (const signature of SIGNATURES) {
    if (signature.matches(bytes)) {
      return { kind: 'binary', what: signature.what, advice: signature.advice };
    }
  }
  if (at(bytes, 0, '{\\rtf')) return { kind: 'unsupported', ...UNSUPPORTED_TEXT['rtf']! };

  const isText = looksLikeText(bytes);
  if (byName === 'pdf' || byName === 'docx') return { kind: 'mismatch', expected: byName, isText };
  if (!isText) {
    return {
      kind: 'binary',
      what: 'binary data, not text',
      advice: byName ? PROGRAM_ADVICE : SUPPORTED_SUMMARY,
    };
  }
  if (byName === 'code') {
    const language = CODE_LANGUAGES[ext] ?? CODE_FILE_NAMES[baseName(name).toLowerCase()];
    return { kind: 'document', format: 'code', ...(language && { language }) };
  }
  if (byName) return { kind: 'document', format: byName };
  const unsupported = UNSUPPORTED_TEXT[ext];
  if (unsupported) return { kind: 'unsupported', ...unsupported };
  if (ext === '') return textWithoutExtension(bytes);
  return {
    kind: 'unsupported',
    what: `a .${ext} file`,
    advice: `${SUPPORTED_SUMMARY} If it is plain text, rename it to end in .txt.`,
  };
}

/** README, LICENSE, a script with a #! line, a saved web page without its .html. */
function textWithoutExtension(bytes: Uint8Array): FileType {
  const head = new TextDecoder().decode(bytes.subarray(0, 1024));
  const firstLine = head.split('\n', 1)[0] ?? '';
  if (firstLine.startsWith('#!')) {
    const language = SHEBANG_LANGUAGES.find(([pattern]) => pattern.test(firstLine))?.[1];
    return { kind: 'document', format: 'code', ...(language && { language }) };
  }
  if (/^\s*<(?:!doctype\s+html|html)[\s>]/i.test(head)) return { kind: 'document', format: 'html' };
  return { kind: 'document', format: 'plain' };
}
