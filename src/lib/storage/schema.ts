import type { DBSchema } from 'idb';
import type { KeywordIndexSnapshot } from '../core/retrieval/bm25';
import type { ChunkRecord, DocumentRecord, KnowledgeBaseMeta } from '../core/kb/documents';
import type { EvalRun } from '../core/eval/run';
import type { EvalRunSummary } from './eval-runs';

/**
 * The vectors of one document as added, up to VECTOR_BLOCK_ROWS rows in one contiguous
 * Float32Array. Cheap to write and delete with their document; compaction later moves them into
 * VectorSegments, which open fast (see vector-segments.ts).
 */
export interface VectorBlock {
  docId: string;
  block: number;
  /** Ordinal of the chunk in row 0; row i is chunk firstOrdinal + i. */
  firstOrdinal: number;
  count: number;
  dimension: number;
  /** count × dimension values, row-major, with its own exactly-sized buffer. */
  vectors: Float32Array;
  /**
   * Unique per write (absent in blocks written before compaction existed): compaction checks it
   * to tell the block it read from one written meanwhile under the same key.
   */
  writeId?: string;
}

/** Where one document's rows are in a segment: rows row…row+count are its chunks firstOrdinal…. */
export interface SegmentRun {
  docId: string;
  row: number;
  count: number;
  firstOrdinal: number;
}

/**
 * The vectors of many documents, ready to search: Float32 rows and their int8 codes and norms as
 * VectorIndex holds them, so opening is a read and a copy — no quantizing. The arrays are Blobs
 * because Chromium reads a few large Blobs several times faster than the same bytes as typed
 * arrays inside records, and reading the record itself stays cheap (a Blob is read on demand).
 *
 * Segments are written only by compaction, never changed after. A document's rows are live only
 * in the newest generation of segments that holds it, only while it has no VectorBlocks of its own
 * (a newer write), and only while its document exists: deleting a document never has to rewrite
 * a segment, and compaction drops the dead rows later.
 */
export interface VectorSegment {
  id: number;
  /** The compaction that wrote it; later compactions have larger numbers. */
  generation: number;
  dimension: number;
  count: number;
  runs: SegmentRun[];
  /** count × dimension Float32 values, row-major. */
  vectors: Blob;
  /** count × codeStride(dimension) int8 codes (quantized-index.ts). */
  codes: Blob;
  /** Four Float32Arrays of count values one after another: invNorms, scales, codeNorms, errorNorms. */
  norms: Blob;
}

export const VECTOR_BLOCK_ROWS = 1024;

/**
 * A file the embedding worker has promised to add and not yet stored, failed or skipped. It is
 * deleted in the transaction that stores the document, so one left behind by a worker that is
 * gone names a file whose adding was interrupted (a reload, a crash, a closed tab).
 */
export interface PendingRecord {
  /** The worker that is adding it; it holds a Web Lock named after this while it lives. */
  owner: string;
  /** Unique per owner, in the order the files were given. */
  seq: number;
  name: string;
  size: number;
  startedAt: number;
  /** The document it is to replace, which stays until the new version is stored. */
  replaces?: string;
}

export type PendingKey = [owner: string, seq: number];

/** The one record of `meta`: which model made every stored vector. */
export const META_KEY = 'knowledge-base';

export interface GroundedSchema extends DBSchema {
  meta: { key: typeof META_KEY; value: KnowledgeBaseMeta };
  documents: {
    key: string;
    value: DocumentRecord;
    indexes: { 'by-hash': string; 'by-name': string };
  };
  texts: { key: string; value: { docId: string; text: string } };
  chunks: { key: [string, number]; value: ChunkRecord };
  vectors: { key: [string, number]; value: VectorBlock };
  pending: { key: PendingKey; value: PendingRecord };
  segments: { key: number; value: VectorSegment };
  /**
   * The keyword index as last saved by a search worker, so opening restores it instead of
   * analyzing every chunk again. Deleting or re-chunking documents removes it (it would still
   * hold them); documents added since are added to it when it is restored.
   */
  keywords: { key: 'snapshot'; value: KeywordIndexSnapshot };
  /** Finished and cancelled evaluation runs, whole (see EvalRuns). */
  evalRuns: { key: string; value: EvalRun };
  /**
   * One per run in `evalRuns`, written in the same transaction: what a picker of runs shows, so
   * listing runs never reads their passages and answers.
   */
  evalRunSummaries: { key: string; value: EvalRunSummary };
}

/** The stores that hold the knowledge base itself; `pending` is bookkeeping about it. */
export const STORE_NAMES = [
  'meta',
  'documents',
  'texts',
  'chunks',
  'vectors',
  'segments',
  'keywords',
] as const;

/** The stores of the evaluation runs, which describe the knowledge base but are not part of it. */
export const EVAL_RUN_STORES = ['evalRuns', 'evalRunSummaries'] as const;

/** Every key of one document in `chunks` and `vectors` (keyed [docId, number]). */
export function docRange(docId: string): IDBKeyRange {
  return IDBKeyRange.bound([docId, -Infinity], [docId, Infinity]);
}
