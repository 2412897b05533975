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

export interface LengthBatches {
  /** Texts per call to `embed`. */
  batchSize: number;
  /**
   * Longest texts first (evaluations: the slowest batches show up at once) or shortest first
   * (the app: a document's first progress comes soon).
   */
  longestFirst?: boolean;
  /**
   * Runs before each batch with the texts embedded so far, and once more at the end with all of
   * them; throwing stops the work (the app checks its abort signal here).
   */
  onBatch?: (done: number, total: number) => void;
}

/**
 * Embeds `texts` into one row-major array, in the texts' order, calling `embed` with batches of
 * texts of similar length: a model pads a batch to its longest text, so a short text beside a
 * long one costs as much as a long one. Characters stand in for tokens: free, and in the same
 * order but for a few texts.
 */
export async function embedByLength(
  texts: readonly string[],
  embed: (batch: string[]) => Promise<Float32Array>,
  { batchSize, longestFirst = false, onBatch }: LengthBatches,
): Promise<Float32Array> {
  const sign = longestFirst ? -1 : 1;
  const order = texts.map((_, i) => i).sort((a, b) => sign * (texts[a]!.length - texts[b]!.length));
  let out = new Float32Array(0);
  let dimension = 0;
  for (let from = 0; from < order.length; from += batchSize) {
    onBatch?.(from, texts.length);
    const rows = order.slice(from, from + batchSize);
    const batch = await embed(rows.map((row) => texts[row]!));
    if (dimension === 0) {
      dimension = batch.length / rows.length;
      out = new Float32Array(texts.length * dimension);
    }
    rows.forEach((row, i) =>
      out.set(batch.subarray(i * dimension, (i + 1) * dimension), row * dimension),
    );
  }
  onBatch?.(texts.length, texts.length);
  return out;
}
