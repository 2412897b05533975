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
}

export const STORE_NAMES = ['meta', 'documents', 'texts', 'chunks', 'vectors'] as const;
