import { codeStride } from '../core/retrieval/quantized-index';
import { encodeRows, type EncodedRows } from '../core/retrieval/vector-index';
import { abortQuietly, type GroundedDB } from './db';
import { META_KEY, docRange, type VectorBlock } from './schema';
import {
  liveRuns,
  packSegments,
  planCompaction,
  readRunVectors,
  readSegment,
  type RowSource,
} from './vector-segments';

/** The document id of rows VectorStore.read includes but that are not live. */
export const DEAD_ROWS = '\u0000dead';

type Bytes = ArrayBufferView<ArrayBuffer>;

/** Every vector of a knowledge base, as opening needs them (see VectorSegment). */
export interface StoredVectors {
  dimension: number | null;
  /**
   * All rows, contiguous: segments' first, then blocks not compacted yet. `codes` is null when
   * read with `deferCodes`: a search can scan the Float32 rows meanwhile (see readCodes).
   */
  rows: (Omit<EncodedRows, 'codes'> & { codes: Int8Array | null }) | null;
  /** Whose rows they are, in order; DEAD_ROWS for rows that are not live. */
  runs: { docId: string; firstOrdinal: number; count: number }[];
  /** Compaction has work to do (see planCompaction). */
  compactable: boolean;
  /** The rows' int8 codes, in the same order (null without rows). */
  readCodes(): Promise<Int8Array | null>;
}

export interface CompactionResult {
  segmentsWritten: number;
  segmentsRemoved: number;
  blocksMoved: number;
  rows: number;
}

/**
 * The stored vectors: read for searching and exporting, and compacted from blocks into segments
 * (see vector-segments.ts). Blocks are written and deleted with their documents (Documents).
 */
export class VectorStore {
  constructor(private readonly db: GroundedDB) {}

  /** Every vector block, in key order (document id, then block). */
  allBlocks(): Promise<VectorBlock[]> {
    return this.db.getAll('vectors');
  }

  blocksOf(docId: string): Promise<VectorBlock[]> {
    return this.db.getAll('vectors', docRange(docId));
  }

  /** A document's vectors, row i for chunk ordinal i (as given to Documents.add). */
  async ofDocument(docId: string, dimension: number): Promise<Float32Array> {
    const tx = this.db.transaction(['vectors', 'segments']);
    const [blocks, segments] = await Promise.all([
      tx.objectStore('vectors').getAll(docRange(docId)),
      tx.objectStore('segments').getAll(),
      tx.done,
    ]);
    const parts: { firstOrdinal: number; vectors: Float32Array }[] = [...blocks];
    if (blocks.length === 0) {
      const live = liveRuns(segments, new Set([docId]), new Set());
      for (const segment of segments) {
        for (const run of live.get(segment.id) ?? []) {
          if (run.docId !== docId) continue;
          parts.push({
            firstOrdinal: run.firstOrdinal,
            vectors: await readRunVectors(segment, run),
          });
        }
      }
    }
    const rows = parts.reduce((n, p) => n + p.vectors.length / dimension, 0);
    const out = new Float32Array(rows * dimension);
    for (const p of parts) out.set(p.vectors, p.firstOrdinal * dimension);
    return out;
  }

  /**
   * Every vector, as the search index needs them, in one contiguous set of arrays: the segments'
   * Blobs are read whole, end to end, in one read per array (Chromium reads a few whole Blobs
   * fast, and slices of them several times slower), and blocks not compacted yet are encoded and
   * appended. Rows that are not live (see VectorSegment) are included, as runs of DEAD_ROWS, for
   * the caller to drop: cheaper than reading around them.
   */
  async read({ deferCodes = false }: { deferCodes?: boolean } = {}): Promise<StoredVectors> {
    const { meta, documents, blocks, liveBlocks, segments, live } = await this.#state();
    const compactable = planCompaction(segments, blocks, documents) !== null;
    if (!meta) {
      return { dimension: null, rows: null, runs: [], compactable, readCodes: async () => null };
    }
    const dim = meta.dimension;
    const stride = codeStride(dim);
    // A model change clears the segments; any of another dimension would be damage.
    const stored = segments.filter((segment) => segment.dimension === dim);
    const encoded = liveBlocks
      .filter((block) => block.dimension === dim)
      .map((block) => ({ block, rows: encodeRows(block.vectors, dim) }));
    const runs: StoredVectors['runs'] = [];
    for (const segment of stored) {
      const isLive = new Set(live.get(segment.id));
      for (const run of segment.runs) {
        const docId = isLive.has(run) ? run.docId : DEAD_ROWS;
        runs.push({ docId, firstOrdinal: run.firstOrdinal, count: run.count });
      }
    }
    for (const { block } of encoded) {
      runs.push({ docId: block.docId, firstOrdinal: block.firstOrdinal, count: block.count });
    }
    const bytes = (parts: BlobPart[]) => new Blob(parts).arrayBuffer();
    const count = runs.reduce((n, r) => n + r.count, 0);
    const damaged = () =>
      new RangeError('The stored vectors are damaged: their sizes do not match.');
    // Blobs stay readable after their transaction: the codes can be read later.
    const readCodes = async () => {
      const codes = await bytes([
        ...stored.map((s) => s.codes),
        ...encoded.map((e) => e.rows.codes as Bytes),
      ]);
      if (codes.byteLength !== count * stride) throw damaged();
      return new Int8Array(codes);
    };
    const [vectors, norms, codes] = await Promise.all([
      bytes([...stored.map((s) => s.vectors), ...encoded.map((e) => e.rows.vectors as Bytes)]),
      bytes(stored.map((s) => s.norms)),
      deferCodes ? null : readCodes(),
    ]);
    if (vectors.byteLength !== count * dim * 4) throw damaged();
    // Each segment's norms are its four arrays one after another: put each array together.
    const columns = [0, 1, 2, 3].map(() => new Float32Array(count));
    let row = 0;
    let at = 0;
    for (const segment of stored) {
      for (let k = 0; k < 4; k++) {
        columns[k]!.set(new Float32Array(norms, at + k * segment.count * 4, segment.count), row);
      }
      at += segment.count * 16;
      row += segment.count;
    }
    for (const { rows } of encoded) {
      [rows.invNorms, rows.scales, rows.codeNorms, rows.errorNorms].forEach((array, k) =>
        columns[k]!.set(array, row),
      );
      row += rows.count;
    }
    const [invNorms, scales, codeNorms, errorNorms] = columns as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    return {
      dimension: dim,
      rows: {
        dim,
        count,
        vectors: new Float32Array(vectors),
        codes,
        invNorms,
        scales,
        codeNorms,
        errorNorms,
      },
      runs,
      compactable,
      readCodes,
    };
  }

  /** Where every vector is, read in one transaction, and which segment runs are live. */
  async #state() {
    const tx = this.db.transaction(['meta', 'documents', 'vectors', 'segments']);
    const [meta, documentIds, blocks, segments] = await Promise.all([
      tx.objectStore('meta').get(META_KEY),
      tx.objectStore('documents').getAllKeys(),
      tx.objectStore('vectors').getAll(),
      tx.objectStore('segments').getAll(),
      tx.done,
    ]);
    const documents = new Set(documentIds);
    const liveBlocks = blocks.filter((b) => documents.has(b.docId));
    const live = liveRuns(segments, documents, new Set(liveBlocks.map((b) => b.docId)));
    return { meta, documents, blocks, liveBlocks, segments, live };
  }

  /**
   * Moves blocks into segments and rewrites segments full of dead rows (see planCompaction), so
   * the next opening reads a few large records. Reads in one transaction, writes in another that
   * first checks nothing it read has changed meanwhile; if something has, it writes nothing and
   * returns null (the next compaction will see the new state). Searches are unaffected: the rows
   * are the same, only stored differently.
   */
  async compact(): Promise<CompactionResult | null> {
    const { meta, documents, blocks, segments, live } = await this.#state();
    const plan = meta ? planCompaction(segments, blocks, documents) : null;
    if (!meta || !plan) return null;
    const dim = meta.dimension;
    const moved = new Set(plan.blocks.map(([docId, block]) => `${docId}\u0000${block}`));
    const movedBlocks = blocks.filter((b) => moved.has(`${b.docId}\u0000${b.block}`));
    const rewritten = segments.filter((s) => plan.rewrite.includes(s.id));

    const sources: RowSource[] = [];
    for (const segment of rewritten) {
      const runs = live.get(segment.id) ?? [];
      if (runs.length === 0) continue;
      const rows = await readSegment(segment);
      for (const run of runs) {
        sources.push({
          docId: run.docId,
          firstOrdinal: run.firstOrdinal,
          rows,
          from: run.row,
          count: run.count,
        });
      }
    }
    for (const block of movedBlocks) {
      if (block.dimension !== dim) continue; // cannot happen: Documents.add checks the model
      const rows = encodeRows(block.vectors, dim);
      sources.push({
        docId: block.docId,
        firstOrdinal: block.firstOrdinal,
        rows,
        from: 0,
        count: block.count,
      });
    }
    const nextId = segments.reduce((max, s) => Math.max(max, s.id), 0) + 1;
    const generation = segments.reduce((max, s) => Math.max(max, s.generation), 0) + 1;
    const written = packSegments(sources, dim, nextId, generation);

    const write = this.db.transaction(['vectors', 'segments'], 'readwrite');
    const done = write.done;
    try {
      const [segmentIds, current] = await Promise.all([
        write.objectStore('segments').getAllKeys(),
        Promise.all(movedBlocks.map((b) => write.objectStore('vectors').get([b.docId, b.block]))),
      ]);
      const unchanged =
        segmentIds.length === segments.length &&
        segmentIds.every((id, i) => id === segments[i]!.id) &&
        current.every(
          (b, i) => b?.writeId === movedBlocks[i]!.writeId && b?.count === movedBlocks[i]!.count,
        );
      if (!unchanged) {
        abortQuietly(write);
        await done.catch(() => {});
        return null;
      }
      await Promise.all([
        ...movedBlocks.map((b) => write.objectStore('vectors').delete([b.docId, b.block])),
        ...rewritten.map((s) => write.objectStore('segments').delete(s.id)),
        ...written.map((s) => write.objectStore('segments').put(s)),
      ]);
    } catch (error) {
      abortQuietly(write);
      await done.catch(() => {});
      throw error;
    }
    await done;
    return {
      segmentsWritten: written.length,
      segmentsRemoved: rewritten.length,
      blocksMoved: movedBlocks.length,
      rows: written.reduce((n, s) => n + s.count, 0),
    };
  }
}
