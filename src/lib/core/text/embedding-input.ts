import type { ChunkRecord } from '../kb/documents';

/**
 * The text embedded for a chunk: its heading path, then its text. A passage under "Leave ›
 * Parental leave" is about parental leave even when its sentences never say so. This is also what
 * a reranker reads, so it carries no model's prefix; see passageEmbeddingText.
 */
export function chunkEmbeddingText(chunk: Pick<ChunkRecord, 'headingPath' | 'text'>): string {
  if (chunk.headingPath.length === 0) return chunk.text;
  return `${chunk.headingPath.join(' › ')}\n\n${chunk.text}`;
}

/**
 * What an embedding model is given for a chunk: chunkEmbeddingText after the model's passage
 * prefix (`passage: ` for E5, which was trained with it; empty for most models).
 */
export function passageEmbeddingText(
  chunk: Pick<ChunkRecord, 'headingPath' | 'text'>,
  passagePrefix: string,
): string {
  return passagePrefix + chunkEmbeddingText(chunk);
}
