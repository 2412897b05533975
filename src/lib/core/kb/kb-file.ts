/**
 * The `.grounded` knowledge base file: every document's record, text, chunks and vectors, the
 * embedding model and dimension they were made with, the chunking settings, and a checksum, so
 * a knowledge base made once can be searched elsewhere without embedding anything again.
 *
 * Layout (integers little-endian):
 *
 *   offset 0   12 bytes  magic "GROUNDED-KB\n"
 *          12  u32       format version (KB_FILE_VERSION)
 *          16  u32       M, the byte length of the manifest
 *          20  M bytes   manifest: UTF-8 JSON (KbManifest), gzip-compressed
 *              0–3 zero bytes, so the vectors start at a multiple of 4
 *              rows × dimension float32: every document's vectors, in document order
 *              32 bytes  SHA-256 of every byte before it
 *
 * The manifest is gzipped because it is mostly prose (documents' texts), which shrinks about
 * threefold; the vectors are left raw, because float32 noise barely compresses and raw they can
 * be read in place as one Float32Array. Chunk texts are not stored: a chunk is its document's
 * text between its offsets (see ChunkRecord), unless an older chunker made one that is not.
 *
 * Decoding checks, in order: magic, version, checksum, manifest, and that the manifest, the
 * vector section and the file's length agree; each failure is a KbFileError naming the file and
 * saying what to do. Pure: runs the same in Node and the browser (CompressionStream, crypto.subtle).
 */

import { validateChunkingOptions, type ChunkingOptions } from '../text/chunking';
import type { ChunkRecord, DocumentRecord, KnowledgeBaseMeta } from './documents';
import type { DocumentFormat } from '../text/document-format';

export const KB_FILE_MAGIC = 'GROUNDED-KB\n';
/** The newest format this code reads and the one it writes. */
export const KB_FILE_VERSION = 1;
export const KB_FILE_EXTENSION = '.grounded';
export const KB_FILE_MIME = 'application/octet-stream';

const MAGIC_BYTES = new TextEncoder().encode(KB_FILE_MAGIC);
const HEADER_BYTES = MAGIC_BYTES.length + 8;
const CHECKSUM_BYTES = 32;

/** One document as it travels in a file: what Documents.add (storage/documents.ts) stores. */
export interface KbFileDocument {
  document: DocumentRecord;
  text: string;
  chunks: ChunkRecord[];
  /** chunks.length × dimension values, row i for chunk ordinal i. */
  vectors: Float32Array;
}

export interface KbFileContents {
  modelId: string;
  dimension: number;
  /** The chunking settings of the knowledge base that was exported (each record keeps its own). */
  chunking: ChunkingOptions;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The version of Grounded that wrote the file. */
  appVersion: string;
  documents: KbFileDocument[];
}

/** A chunk in the manifest: its document id is the document's, its text is cut from the text. */
interface ManifestChunk {
  ordinal: number;
  start: number;
  end: number;
  headingPath: string[];
  tokens: number;
  page?: number;
  /** Only when it differs from text.slice(start, end). */
  text?: string;
}

interface ManifestDocument {
  record: DocumentRecord;
  text: string;
  chunks: ManifestChunk[];
  /** Its rows in the vector section: [first, count]; count is chunks.length. */
  rows: [number, number];
}

interface KbManifest {
  format: 'grounded-knowledge-base';
  version: number;
  createdAt: number;
  appVersion: string;
  modelId: string;
  dimension: number;
  chunking: ChunkingOptions;
  /** Rows in the vector section. */
  vectorRows: number;
  documents: ManifestDocument[];
}

/** Anything wrong with a knowledge base file; the message names it and says what to do. */
export class KbFileError extends Error {
  override name = 'KbFileError';
  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(message);
  }
}

export class NotAKbFileError extends KbFileError {
  override name = 'NotAKbFileError';
  constructor(fileName: string) {
    super(
      fileName,
      `“${fileName}” is not a Grounded knowledge base file. Choose a ${KB_FILE_EXTENSION} file ` +
        'made with Export knowledge base.',
    );
  }
}

export class KbFileVersionError extends KbFileError {
  override name = 'KbFileVersionError';
  constructor(
    fileName: string,
    readonly version: number,
  ) {
    super(
      fileName,
      version > KB_FILE_VERSION
        ? `“${fileName}” was made by a newer version of Grounded (file format ${version}; this ` +
            `app reads format ${KB_FILE_VERSION}). Update the app (reload it while online), then ` +
            'import the file again.'
        : `“${fileName}” says it has file format ${version}, which no version of Grounded ` +
            'writes: it is damaged. Export it again from the knowledge base it came from.',
    );
  }
}

/** Corrupt, truncated or inconsistent: the file is not as Grounded wrote it. */
export class KbFileDamagedError extends KbFileError {
  override name = 'KbFileDamagedError';
  constructor(
    fileName: string,
    readonly reason: string,
  ) {
    super(
      fileName,
      `“${fileName}” is damaged (${reason}), so nothing was imported. Export it again from the ` +
        'knowledge base it came from, and copy it whole.',
    );
  }
}

/** The file's vectors cannot sit beside the knowledge base's: same model, other dimension. */
export class KbFileDimensionError extends KbFileError {
  override name = 'KbFileDimensionError';
  constructor(
    fileName: string,
    fileDimension: number,
    meta: { modelId: string; dimension: number },
  ) {
    super(
      fileName,
      `“${fileName}” holds ${fileDimension}-dimensional vectors from ${meta.modelId}, but that ` +
        `model makes ${meta.dimension}-dimensional vectors in this knowledge base, so they cannot ` +
        'be searched together and nothing was imported. Export the file again from a knowledge ' +
        `base that uses ${meta.modelId}.`,
    );
  }
}

/** How a decoded file fits the knowledge base it is to be imported into. */
export type KbFileFit =
  /** Empty knowledge base: the file's model becomes its model. */
  | { kind: 'adopt' }
  /** Same model and dimension: the vectors can be stored as they are. */
  | { kind: 'same' }
  /** Another model: the vectors are useless here; the texts can be embedded again. */
  | { kind: 'other-model'; fileModel: string; knowledgeBaseModel: string };

/**
 * Whether `file` can be imported into a knowledge base holding `meta` (undefined: empty).
 * `modelDimension`, when known (the model catalogue), is what the file's model must produce.
 * Throws KbFileDimensionError when the vectors cannot be right for their model.
 */
export function fitOf(
  file: Pick<KbFileContents, 'modelId' | 'dimension'>,
  meta: KnowledgeBaseMeta | undefined | null,
  fileName: string,
  modelDimension?: number,
): KbFileFit {
  if (modelDimension !== undefined && file.dimension !== modelDimension) {
    throw new KbFileDimensionError(fileName, file.dimension, {
      modelId: file.modelId,
      dimension: modelDimension,
    });
  }
  if (!meta) return { kind: 'adopt' };
  if (meta.modelId !== file.modelId) {
    return { kind: 'other-model', fileModel: file.modelId, knowledgeBaseModel: meta.modelId };
  }
  if (meta.dimension !== file.dimension) {
    throw new KbFileDimensionError(fileName, file.dimension, meta);
  }
  return { kind: 'same' };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const align4 = (n: number) => (n + 3) & ~3;

/** Writes a knowledge base file. Throws RangeError on contents that do not fit together. */
export async function encodeKbFile(contents: KbFileContents): Promise<Uint8Array> {
  const { modelId, dimension, chunking, createdAt, appVersion, documents } = contents;
  let rows = 0;
  const manifestDocuments: ManifestDocument[] = documents.map(
    ({ document, text, chunks, vectors }) => {
      if (vectors.length !== chunks.length * dimension) {
        throw new RangeError(
          `${document.name}: ${chunks.length} chunks but ${vectors.length / dimension} vectors.`,
        );
      }
      const first = rows;
      rows += chunks.length;
      return {
        record: document,
        text,
        chunks: chunks.map(
          ({ ordinal, start, end, headingPath, tokens, page, text: chunkText }) => ({
            ordinal,
            start,
            end,
            headingPath,
            tokens,
            ...(page !== undefined && { page }),
            ...(chunkText !== text.slice(start, end) && { text: chunkText }),
          }),
        ),
        rows: [first, chunks.length],
      };
    },
  );
  const manifest: KbManifest = {
    format: 'grounded-knowledge-base',
    version: KB_FILE_VERSION,
    createdAt,
    appVersion,
    modelId,
    dimension,
    chunking: { targetTokens: chunking.targetTokens, overlapTokens: chunking.overlapTokens },
    vectorRows: rows,
    documents: manifestDocuments,
  };
  const packed = await gzip(new TextEncoder().encode(JSON.stringify(manifest)));
  const vectorsAt = align4(HEADER_BYTES + packed.length);
  const checksumAt = vectorsAt + rows * dimension * 4;
  const out = new Uint8Array(checksumAt + CHECKSUM_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC_BYTES, 0);
  view.setUint32(MAGIC_BYTES.length, KB_FILE_VERSION, true);
  view.setUint32(MAGIC_BYTES.length + 4, packed.length, true);
  out.set(packed, HEADER_BYTES);
  let at = vectorsAt;
  for (const { vectors } of documents) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength), at);
    } else {
      for (let i = 0; i < vectors.length; i++) view.setFloat32(at + i * 4, vectors[i]!, true);
    }
    at += vectors.byteLength;
  }
  out.set(await sha256(out.subarray(0, checksumAt)), checksumAt);
  return out;
}

/**
 * Reads a knowledge base file written by encodeKbFile, checking everything before anything is
 * returned. The vectors are views into `bytes` when it is aligned (no copy): do not reuse it.
 */
export async function decodeKbFile(bytes: Uint8Array, fileName: string): Promise<KbFileContents> {
  if (bytes.length < MAGIC_BYTES.length || !startsWithMagic(bytes)) {
    // A file cut off inside the magic is still recognisably ours.
    if (bytes.length < MAGIC_BYTES.length && bytes.length > 0 && startsWithMagic(bytes)) {
      throw new KbFileDamagedError(fileName, `it is incomplete: only ${bytes.length} bytes`);
    }
    throw new NotAKbFileError(fileName);
  }
  if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES) {
    throw new KbFileDamagedError(fileName, `it is incomplete: only ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(MAGIC_BYTES.length, true);
  if (version !== KB_FILE_VERSION) throw new KbFileVersionError(fileName, version);

  const checksumAt = bytes.length - CHECKSUM_BYTES;
  const expected = bytes.subarray(checksumAt);
  const actual = await sha256(bytes.subarray(0, checksumAt));
  if (!actual.every((b, i) => b === expected[i])) {
    throw new KbFileDamagedError(
      fileName,
      'its checksum does not match: bytes were changed or it is incomplete',
    );
  }

  const manifestBytes = view.getUint32(MAGIC_BYTES.length + 4, true);
  if (HEADER_BYTES + manifestBytes > checksumAt) {
    throw new KbFileDamagedError(fileName, 'its table of contents runs past its end');
  }
  let manifest: unknown;
  try {
    const json = await gunzip(bytes.subarray(HEADER_BYTES, HEADER_BYTES + manifestBytes));
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new KbFileDamagedError(fileName, 'its table of contents cannot be read');
  }
  const problem = manifestProblem(manifest);
  if (problem) throw new KbFileDamagedError(fileName, problem);
  const m = manifest as KbManifest;

  const vectorsAt = align4(HEADER_BYTES + manifestBytes);
  const vectorBytes = m.vectorRows * m.dimension * 4;
  if (vectorsAt + vectorBytes !== checksumAt) {
    throw new KbFileDamagedError(
      fileName,
      `it should hold ${m.vectorRows} vectors of ${m.dimension} dimensions ` +
        `(${vectorsAt + vectorBytes + CHECKSUM_BYTES} bytes) but is ${bytes.length} bytes long`,
    );
  }
  const all = float32s(bytes, vectorsAt, m.vectorRows * m.dimension);
  for (let i = 0; i < all.length; i++) {
    if (!Number.isFinite(all[i]!)) {
      throw new KbFileDamagedError(fileName, 'a vector holds a value that is not a number');
    }
  }

  return {
    modelId: m.modelId,
    dimension: m.dimension,
    chunking: m.chunking,
    createdAt: m.createdAt,
    appVersion: m.appVersion,
    documents: m.documents.map(({ record, text, chunks, rows: [first, count] }) => ({
      document: record,
      text,
      chunks: chunks.map(({ text: chunkText, ...c }) => ({
        docId: record.id,
        ...c,
        text: chunkText ?? text.slice(c.start, c.end),
      })),
      vectors: all.subarray(first * m.dimension, (first + count) * m.dimension),
    })),
  };
}

function startsWithMagic(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, MAGIC_BYTES.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== MAGIC_BYTES[i]) return false;
  return true;
}

/** `count` little-endian float32s at `offset`: a view when aligned on a little-endian machine. */
function float32s(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const at = bytes.byteOffset + offset;
  if (LITTLE_ENDIAN && at % 4 === 0) return new Float32Array(bytes.buffer, at, count);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, at, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

const FORMATS: ReadonlySet<DocumentFormat> = new Set([
  'markdown',
  'plain',
  'html',
  'pdf',
  'docx',
  'csv',
  'json',
  'code',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

/** What is wrong with a parsed manifest, in a few words, or null when it is well-formed. */
export function manifestProblem(m: unknown): string | null {
  if (!isObject(m) || m.format !== 'grounded-knowledge-base') {
    return 'its table of contents is not a Grounded one';
  }
  if (m.version !== KB_FILE_VERSION) return 'its table of contents has another format version';
  if (typeof m.modelId !== 'string' || m.modelId === '') return 'it names no embedding model';
  if (!isCount(m.dimension) || m.dimension === 0) return 'its vector dimension is not valid';
  if (!isObject(m.chunking) || validateChunkingOptions(m.chunking as never) !== null) {
    return 'its chunking settings are not valid';
  }
  if (typeof m.createdAt !== 'number' || typeof m.appVersion !== 'string') {
    return 'its date or app version is missing';
  }
  if (!isCount(m.vectorRows)) return 'its vector count is not valid';
  if (!Array.isArray(m.documents)) return 'it lists no documents';
  const ids = new Set<string>();
  let rows = 0;
  for (const [i, d] of (m.documents as unknown[]).entries()) {
    const problem = documentProblem(d, m.modelId, rows);
    if (problem) return `document ${i + 1}: ${problem}`;
    const { record, rows: range } = d as ManifestDocument;
    if (ids.has(record.id)) return `document ${i + 1}: its id is used twice`;
    ids.add(record.id);
    rows += range[1];
  }
  if (rows !== m.vectorRows) return `its documents have ${rows} vectors, not ${m.vectorRows}`;
  return null;
}

function documentProblem(d: unknown, modelId: string, firstRow: number): string | null {
  if (!isObject(d) || !isObject(d.record) || typeof d.text !== 'string') {
    return 'its record or text is missing';
  }
  const r = d.record;
  const text = d.text;
  if (typeof r.id !== 'string' || r.id === '' || typeof r.name !== 'string' || r.name === '') {
    return 'its id or name is missing';
  }
  if (!isCount(r.size) || typeof r.addedAt !== 'number') return 'its size or date is not valid';
  if (!FORMATS.has(r.format as DocumentFormat)) return 'its format is not one Grounded knows';
  if (typeof r.contentHash !== 'string' || !/^[0-9a-f]{64}$/.test(r.contentHash)) {
    return 'its content hash is not valid';
  }
  if (r.modelId !== modelId) return 'it was embedded with another model than the file says';
  if (!isObject(r.chunking) || validateChunkingOptions(r.chunking as never) !== null) {
    return 'its chunking settings are not valid';
  }
  if (!isStrings(r.warnings)) return 'its warnings are not valid';
  if (r.charCount !== text.length) return 'its text is not as long as its record says';
  if (r.pageStarts !== undefined) {
    const starts = r.pageStarts;
    if (!Array.isArray(starts) || !starts.every((s) => isCount(s) && s <= text.length)) {
      return 'its page starts are not valid';
    }
  }
  if (r.language !== undefined && typeof r.language !== 'string')
    return 'its language is not valid';
  if (!Array.isArray(d.chunks)) return 'its chunks are missing';
  if (r.chunkCount !== d.chunks.length) return 'it has another number of chunks than it says';
  for (const [ordinal, c] of (d.chunks as unknown[]).entries()) {
    if (
      !isObject(c) ||
      c.ordinal !== ordinal ||
      !isCount(c.start) ||
      !isCount(c.end) ||
      c.start > c.end ||
      c.end > text.length ||
      !isStrings(c.headingPath) ||
      !isCount(c.tokens) ||
      (c.page !== undefined && !isCount(c.page)) ||
      (c.text !== undefined && typeof c.text !== 'string')
    ) {
      return `chunk ${ordinal + 1} is not valid`;
    }
  }
  const range = d.rows;
  if (!Array.isArray(range) || range[0] !== firstRow || range[1] !== d.chunks.length) {
    return 'its vectors are not where they should be';
  }
  return null;
}
