import { codeStride } from '../core/retrieval/quantized-index';
import type { EncodedRows } from '../core/retrieval/vector-index';
import { VECTOR_BLOCK_ROWS, type SegmentRun, type VectorBlock, type VectorSegment } from './schema';

/** Rows per segment: a few large records open several times faster than many small ones. */
export const SEGMENT_ROWS = 16_384;

/**
 * Compaction waits until this many rows, or blocks, are waiting outside segments: a few small
 * blocks open fast enough, and rewriting for each added document would cost more than it saves.
 */
export const COMPACT_MIN_ROWS = 4_096;
export const COMPACT_MIN_BLOCKS = 32;

/** A segment is rewritten once more than this share of its rows is dead (deleted documents). */
export const MAX_DEAD_SHARE = 0.25;

/** Splits one document's vectors into exactly-sized blocks of at most VECTOR_BLOCK_ROWS rows. */
export function toVectorBlocks(
  docId: string,
  vectors: Float32Array,
  dimension: number,
): VectorBlock[] {
  const rows = vectors.length / dimension;
  const blocks: VectorBlock[] = [];
  for (let first = 0, block = 0; first < rows; first += VECTOR_BLOCK_ROWS, block++) {
    const count = Math.min(VECTOR_BLOCK_ROWS, rows - first);
    blocks.push({
      docId,
      block,
      firstOrdinal: first,
      count,
      dimension,
      // slice, not subarray: a view would store its whole underlying buffer.
      vectors: vectors.slice(first * dimension, (first + count) * dimension),
      writeId: crypto.randomUUID(),
    });
  }
  return blocks;
}

export type SegmentShape = Pick<VectorSegment, 'id' | 'generation' | 'count' | 'runs'>;

/**
 * The runs of each segment that are live (see VectorSegment): the document exists, has no
 * VectorBlocks of its own, and this segment's generation is the newest that holds it.
 */
export function liveRuns(
  segments: readonly SegmentShape[],
  documents: ReadonlySet<string>,
  withBlocks: ReadonlySet<string>,
): Map<number, SegmentRun[]> {
  const newest = new Map<string, number>();
  for (const segment of segments) {
    for (const run of segment.runs) {
      const seen = newest.get(run.docId);
      if (seen === undefined || segment.generation > seen)
        newest.set(run.docId, segment.generation);
    }
  }
  const live = new Map<number, SegmentRun[]>();
  for (const segment of segments) {
    live.set(
      segment.id,
      segment.runs.filter(
        (run) =>
          documents.has(run.docId) &&
          !withBlocks.has(run.docId) &&
          newest.get(run.docId) === segment.generation,
      ),
    );
  }
  return live;
}

const rowsIn = (runs: readonly SegmentRun[]) => runs.reduce((n, run) => n + run.count, 0);

export interface CompactionPlan {
  /** Segments to read and write again without their dead rows. */
  rewrite: number[];
  /** Blocks to move into segments. */
  blocks: [string, number][];
}

/**
 * What compaction should do now, or null when opening is as fast as it gets. Blocks are moved
 * once enough have gathered; segments are rewritten when they are mostly dead or small, together
 * with every segment that shares a live document with one of them, so a document's live rows
 * always stay within one generation.
 */
export function planCompaction(
  segments: readonly SegmentShape[],
  blocks: readonly Pick<VectorBlock, 'docId' | 'block' | 'count'>[],
  documents: ReadonlySet<string>,
): CompactionPlan | null {
  const withBlocks = new Set(blocks.map((b) => b.docId));
  const live = liveRuns(segments, documents, withBlocks);
  const liveBlocks = blocks.filter((b) => documents.has(b.docId));
  const blockRows = liveBlocks.reduce((n, b) => n + b.count, 0);
  const moveBlocks = blockRows >= COMPACT_MIN_ROWS || liveBlocks.length >= COMPACT_MIN_BLOCKS;

  const rewrite = new Set<number>();
  for (const segment of segments) {
    const liveRows = rowsIn(live.get(segment.id) ?? []);
    const dead = segment.count - liveRows;
    if (dead > segment.count * MAX_DEAD_SHARE) rewrite.add(segment.id);
    // Small segments are merged into the blocks' new ones rather than kept beside them.
    else if (moveBlocks && segment.count < SEGMENT_ROWS / 2) rewrite.add(segment.id);
  }
  if (!moveBlocks && rewrite.size === 0) return null;

  // Closure: a live document of a rewritten segment takes all its segments with it.
  const segmentsOf = new Map<string, number[]>();
  for (const [id, runs] of live) {
    for (const run of runs) segmentsOf.set(run.docId, [...(segmentsOf.get(run.docId) ?? []), id]);
  }
  const queue = [...rewrite];
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const run of live.get(id) ?? []) {
      for (const other of segmentsOf.get(run.docId) ?? []) {
        if (!rewrite.has(other)) {
          rewrite.add(other);
          queue.push(other);
        }
      }
    }
  }
  return {
    rewrite: [...rewrite].sort((a, b) => a - b),
    blocks: moveBlocks ? liveBlocks.map((b) => [b.docId, b.block]) : [],
  };
}

/** Rows of one document taken from a source, in the order they go into new segments. */
export interface RowSource {
  docId: string;
  firstOrdinal: number;
  rows: EncodedRows;
  from: number;
  count: number;
}

/** Packs runs of rows into segments of at most `segmentRows` rows, splitting runs at the edges. */
export function packSegments(
  sources: readonly RowSource[],
  dim: number,
  firstId: number,
  generation: number,
  segmentRows = SEGMENT_ROWS,
): VectorSegment[] {
  const stride = codeStride(dim);
  const segments: VectorSegment[] = [];
  let pending: { source: RowSource; from: number; count: number; firstOrdinal: number }[] = [];
  let filled = 0;
  const flush = () => {
    if (filled === 0) return;
    const vectors = new Float32Array(filled * dim);
    const codes = new Int8Array(filled * stride);
    const norms = new Float32Array(filled * 4);
    const runs: SegmentRun[] = [];
    let row = 0;
    for (const { source, from, count, firstOrdinal } of pending) {
      const { rows } = source;
      const end = from + count;
      vectors.set(rows.vectors.subarray(from * dim, end * dim), row * dim);
      codes.set(rows.codes.subarray(from * stride, end * stride), row * stride);
      norms.set(rows.invNorms.subarray(from, end), row);
      norms.set(rows.scales.subarray(from, end), filled + row);
      norms.set(rows.codeNorms.subarray(from, end), filled * 2 + row);
      norms.set(rows.errorNorms.subarray(from, end), filled * 3 + row);
      const last = runs.at(-1);
      if (last && last.docId === source.docId && last.firstOrdinal + last.count === firstOrdinal) {
        last.count += count;
      } else {
        runs.push({ docId: source.docId, row, count, firstOrdinal });
      }
      row += count;
    }
    segments.push({
      id: firstId + segments.length,
      generation,
      dimension: dim,
      count: filled,
      runs,
      vectors: new Blob([vectors]),
      codes: new Blob([codes]),
      norms: new Blob([norms]),
    });
    pending = [];
    filled = 0;
  };
  for (const source of sources) {
    if (source.rows.dim !== dim) {
      throw new RangeError(
        `Vectors of ${source.docId} have ${source.rows.dim} dimensions, not ${dim}.`,
      );
    }
    let done = 0;
    while (done < source.count) {
      const take = Math.min(source.count - done, segmentRows - filled);
      pending.push({
        source,
        from: source.from + done,
        count: take,
        firstOrdinal: source.firstOrdinal + done,
      });
      filled += take;
      done += take;
      if (filled === segmentRows) flush();
    }
  }
  flush();
  return segments;
}

/** A segment's rows, read from its Blobs. */
export async function readSegment(segment: VectorSegment): Promise<EncodedRows> {
  const { count, dimension: dim } = segment;
  const [vectors, codes, norms] = await Promise.all([
    segment.vectors.arrayBuffer(),
    segment.codes.arrayBuffer(),
    segment.norms.arrayBuffer(),
  ]);
  if (
    vectors.byteLength !== count * dim * 4 ||
    codes.byteLength !== count * codeStride(dim) ||
    norms.byteLength !== count * 16
  ) {
    throw new RangeError(`Vector segment ${segment.id} is damaged: its sizes do not match.`);
  }
  return {
    dim,
    count,
    vectors: new Float32Array(vectors),
    codes: new Int8Array(codes),
    invNorms: new Float32Array(norms, 0, count),
    scales: new Float32Array(norms, count * 4, count),
    codeNorms: new Float32Array(norms, count * 8, count),
    errorNorms: new Float32Array(norms, count * 12, count),
  };
}

/** One run's Float32 rows only (for export), reading just its bytes. */
export async function readRunVectors(
  segment: VectorSegment,
  run: SegmentRun,
): Promise<Float32Array> {
  const bytes = segment.dimension * 4;
  const buffer = await segment.vectors
    .slice(run.row * bytes, (run.row + run.count) * bytes)
    .arrayBuffer();
  return new Float32Array(buffer);
}
