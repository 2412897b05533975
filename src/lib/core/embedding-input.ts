import type { ChunkRecord } from './documents';

/**
 * The text embedded for a chunk: its heading path, then its text. A passage under "Leave ›
 * Parental leave" is about parental leave even when its sentences never say so.
 */
export function chunkEmbeddingText(chunk: Pick<ChunkRecord, 'headingPath' | 'text'>): string {
  if (chunk.headingPath.length === 0) return chunk.text;
  return `${chunk.headingPath.join(' › ')}\n\n${chunk.text}`;
}
