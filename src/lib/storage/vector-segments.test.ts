import { describe, expect, test } from 'vitest';
import { codeStride } from '../core/retrieval/quantized-index';
import { encodeRows } from '../core/retrieval/vector-index';
import { VECTOR_BLOCK_ROWS, type SegmentRun } from './schema';
import {
  COMPACT_MIN_BLOCKS,
  liveRuns,
  packSegments,
  planCompaction,
  readSegment,
  toVectorBlocks,
  type SegmentShape,
} from './vector-segments';

const run = (docId: string, row: number, count: number, firstOrdinal = 0): SegmentRun => ({
  docId,
  row,
  count,
  firstOrdinal,
});
const segment = (id: number, generation: number, runs: SegmentRun[]): SegmentShape => ({
  id,
  generation,
  runs,
  count: runs.reduce((n, r) => n + r.count, 0),
});

describe('liveRuns', () => {
  test('a document lives only in its newest generation, and only while it has no blocks', () => {
    const segments = [
      segment(1, 1, [run('a', 0, 10), run('b', 10, 5), run('c', 15, 5)]),
      segment(2, 2, [run('b', 0, 5), run('d', 5, 2)]),
    ];
    const live = liveRuns(segments, new Set(['a', 'b', 'd']), new Set(['d']));
    // c was deleted; b was written again in generation 2; d has newer blocks of its own.
    expect(live.get(1)!.map((r) => r.docId)).toEqual(['a']);
    expect(live.get(2)!.map((r) => r.docId)).toEqual(['b']);
  });
});

describe('planCompaction', () => {
  const blocks = (n: number, rows = 10) =>
    Array.from({ length: n }, (_, i) => ({ docId: `doc${i}`, block: 0, count: rows }));
  const docs = (n: number) => new Set(Array.from({ length: n }, (_, i) => `doc${i}`));

  test('waits until enough blocks have gathered', () => {
    expect(planCompaction([], blocks(3), docs(3))).toBeNull();
    const plan = planCompaction([], blocks(COMPACT_MIN_BLOCKS), docs(COMPACT_MIN_BLOCKS));
    expect(plan?.blocks).toHaveLength(COMPACT_MIN_BLOCKS);
    expect(plan?.rewrite).toEqual([]);
  });

  test('rewrites a mostly dead segment, with every segment sharing a live document', () => {
    const segments = [
      segment(1, 1, [run('x', 0, 30), run('y', 30, 10)]),
      segment(2, 1, [run('y', 0, 10, 10), run('z', 10, 90)]),
      segment(3, 1, [run('w', 0, 100)]),
    ];
    // x was deleted: segment 1 is three quarters dead; y continues into segment 2.
    const plan = planCompaction(segments, [], new Set(['y', 'z', 'w']));
    expect(plan).toEqual({ rewrite: [1, 2], blocks: [] });
    expect(planCompaction(segments, [], new Set(['x', 'y', 'z', 'w']))).toBeNull();
  });
});

describe('packSegments and readSegment', () => {
  test('split runs at segment edges and read back the same rows', async () => {
    const dim = 4;
    const a = encodeRows(
      Float32Array.from({ length: 7 * dim }, (_, i) => Math.sin(i)),
      dim,
    );
    const b = encodeRows(
      Float32Array.from({ length: 3 * dim }, (_, i) => Math.cos(i)),
      dim,
    );
    const segments = packSegments(
      [
        { docId: 'a', firstOrdinal: 0, rows: a, from: 0, count: 7 },
        { docId: 'b', firstOrdinal: 5, rows: b, from: 1, count: 2 },
      ],
      dim,
      10,
      3,
      4,
    );
    expect(segments.map((s) => [s.id, s.generation, s.count, s.runs])).toEqual([
      [10, 3, 4, [run('a', 0, 4, 0)]],
      [11, 3, 4, [run('a', 0, 3, 4), run('b', 3, 1, 5)]],
      [12, 3, 1, [run('b', 0, 1, 6)]],
    ]);
    const second = await readSegment(segments[1]!);
    expect(Array.from(second.vectors.subarray(0, 3 * dim))).toEqual(
      Array.from(a.vectors.subarray(4 * dim, 7 * dim)),
    );
    expect(Array.from(second.vectors.subarray(3 * dim))).toEqual(
      Array.from(b.vectors.subarray(dim, 2 * dim)),
    );
    const stride = codeStride(dim);
    expect(Array.from(second.codes.subarray(0, 3 * stride))).toEqual(
      Array.from(a.codes.subarray(4 * stride, 7 * stride)),
    );
    expect(second.scales[3]).toBe(b.scales[1]);
    expect(second.errorNorms[0]).toBe(a.errorNorms[4]);
  });

  test('a segment whose Blobs do not match its row count is reported damaged', async () => {
    const dim = 4;
    const [s] = packSegments(
      [
        {
          docId: 'a',
          firstOrdinal: 0,
          rows: encodeRows(new Float32Array(8), dim),
          from: 0,
          count: 2,
        },
      ],
      dim,
      1,
      1,
    );
    await expect(readSegment({ ...s!, count: 3 })).rejects.toThrow(/damaged/);
  });
});

describe('toVectorBlocks', () => {
  test('splits large documents into contiguous blocks of at most VECTOR_BLOCK_ROWS rows', () => {
    const dim = 2;
    const rows = VECTOR_BLOCK_ROWS * 2 + 5;
    const vectors = Float32Array.from({ length: rows * dim }, (_, i) => i);
    const blocks = toVectorBlocks('big', vectors, dim);
    expect(blocks.map((b) => [b.block, b.firstOrdinal, b.count])).toEqual([
      [0, 0, VECTOR_BLOCK_ROWS],
      [1, VECTOR_BLOCK_ROWS, VECTOR_BLOCK_ROWS],
      [2, VECTOR_BLOCK_ROWS * 2, 5],
    ]);
    // Each block owns an exactly-sized buffer (a view would drag the whole array along).
    for (const b of blocks) expect(b.vectors.buffer.byteLength).toBe(b.count * dim * 4);
    expect(blocks[2]!.vectors[0]).toBe(VECTOR_BLOCK_ROWS * 2 * dim);
  });
});
