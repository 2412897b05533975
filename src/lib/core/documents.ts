/** The shapes of documents, chunks and passages shared by every layer. */

import type { ChunkingOptions } from './chunking';

export type DocumentFormat = 'markdown' | 'plain';

export interface DocumentRecord {
  id: string;
  name: string;
  /** Size of the file in bytes. */
  size: number;
  format: DocumentFormat;
  /** Milliseconds since the epoch. */
  addedAt: number;
  chunkCount: number;
  charCount: number;
  /** SHA-256 of the file's bytes, hex. */
  contentHash: string;
  /** The embedding model its vectors were made with. */
  modelId: string;
  chunking: ChunkingOptions;
  /** Things the user should know about this document, e.g. replaced invalid bytes. */
  warnings: string[];
}

export interface ChunkRecord {
  docId: string;
  ordinal: number;
  /** UTF-16 offsets into the document's text: text === documentText.slice(start, end). */
  start: number;
  end: number;
  text: string;
  headingPath: string[];
  tokens: number;
}

/** One retrieved passage, as shown under Retrieved passages. */
export interface Passage {
  rank: number;
  score: number;
  docId: string;
  docName: string;
  ordinal: number;
  chunkCount: number;
  start: number;
  end: number;
  headingPath: string[];
  text: string;
}

/** What the knowledge base records about the vectors it holds, so models are never mixed. */
export interface KnowledgeBaseMeta {
  modelId: string;
  dimension: number;
  createdAt: number;
}
