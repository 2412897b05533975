import type { DBSchema } from 'idb';
import type { ChunkRecord, DocumentRecord, KnowledgeBaseMeta } from '../core/documents';

/**
 * The vectors of one document, up to VECTOR_BLOCK_ROWS rows, stored as one contiguous
 * Float32Array so opening a large knowledge base reads a few hundred records, not one per chunk.
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

export interface GroundedSchema extends DBSchema {
  meta: { key: 'knowledge-base'; value: KnowledgeBaseMeta };
  documents: {
    key: string;
    value: DocumentRecord;
    indexes: { 'by-hash': string; 'by-name': string };
  };
  texts: { key: string; value: { docId: string; text: string } };
  chunks: { key: [string, number]; value: ChunkRecord };
  vectors: { key: [string, number]; value: VectorBlock };
  pending: { key: PendingKey; value: PendingRecord };
}

/** The stores that hold the knowledge base itself; `pending` is bookkeeping about it. */
export const STORE_NAMES = ['meta', 'documents', 'texts', 'chunks', 'vectors'] as const;
