import type { IDBPTransaction } from 'idb';
import type { KeywordIndexSnapshot } from '../core/retrieval/bm25';
import type { ChunkRecord, DocumentRecord, KnowledgeBaseMeta } from '../core/kb/documents';
import { openGroundedDB, DEFAULT_DB_NAME, type GroundedDB, type OpenOptions } from './db';
import {
  type GroundedSchema,
  STORE_NAMES,
  VECTOR_BLOCK_ROWS,
  type PendingKey,
  type PendingRecord,
  type VectorBlock,
} from './schema';
import {
  liveRuns,
  packSegments,
  planCompaction,
  readRunVectors,
  readSegment,
  type RowSource,
} from './vector-segments';
import { codeStride } from '../core/retrieval/quantized-index';
import { encodeRows, type EncodedRows } from '../core/retrieval/vector-index';

/** Vectors of another model than the knowledge base's would make search meaningless. */
export class EmbeddingModelMismatchError extends Error {
  override name = 'EmbeddingModelMismatchError';
  constructor(
    readonly stored: KnowledgeBaseMeta,
    modelId: string,
    dimension: number,
  ) {
    super(
      `The knowledge base holds vectors from ${stored.modelId} (${stored.dimension} dimensions); ` +
        `these were made with ${modelId} (${dimension}). Re-embed the documents with one model, ` +
        `or switch back to ${stored.modelId}.`,
    );
  }
}

/**
 * The browser refused to store more (`QuotaExceededError`): the document's transaction was
 * rolled back, so nothing of it was kept and the stored documents are unchanged.
 */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor(
    readonly fileName: string,
    options?: ErrorOptions,
  ) {
    super(
      `There is no room left in this browser's storage for “${fileName}”, so it was not added: ` +
        'nothing of it was kept, and the documents already stored are unchanged.',
      options,
    );
  }
}

/** A document with the same content is already stored (perhaps added meanwhile by another tab). */
export class AlreadyStoredError extends Error {
  override name = 'AlreadyStoredError';
  constructor(
    readonly existing: DocumentRecord,
    fileName: string,
  ) {
    super(`“${fileName}” is already in the knowledge base as “${existing.name}”.`);
  }
}

export interface AddOptions {
  /** A document this one replaces: it is deleted in the same transaction. */
  replaces?: string;
  /** The pending record of this file, deleted in the same transaction. */
  pending?: PendingKey;
}

/** The document id of rows readVectors includes but that are not live. */
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

export interface NewDocument {
  document: DocumentRecord;
  text: string;
  chunks: ChunkRecord[];
  /** chunks.length × dimension values, row i for chunk ordinal i. */
  vectors: Float32Array;
  dimension: number;
}

const META_KEY = 'knowledge-base';
/** Adding and deleting documents also settles their pending records. */
const WRITE_STORES = [...STORE_NAMES, 'pending'] as const;

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

function docRange(docId: string): IDBKeyRange {
  return IDBKeyRange.bound([docId, -Infinity], [docId, Infinity]);
}

function isQuotaError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'QuotaExceededError';
}

/** Documents, their text, chunks and vectors, in IndexedDB. The one place that writes them. */
export class KnowledgeBase {
  private constructor(readonly db: GroundedDB) {}

  static async open(name = DEFAULT_DB_NAME, options?: OpenOptions): Promise<KnowledgeBase> {
    return new KnowledgeBase(await openGroundedDB(name, options));
  }

  close(): void {
    this.db.close();
  }

  meta(): Promise<KnowledgeBaseMeta | undefined> {
    return this.db.get('meta', META_KEY);
  }

  async listDocuments(): Promise<DocumentRecord[]> {
    const docs = await this.db.getAll('documents');
    return docs.sort((a, b) => a.addedAt - b.addedAt || a.name.localeCompare(b.name));
  }

  getDocument(id: string): Promise<DocumentRecord | undefined> {
    return this.db.get('documents', id);
  }

  findByHash(contentHash: string): Promise<DocumentRecord | undefined> {
    return this.db.getFromIndex('documents', 'by-hash', contentHash);
  }

  async getText(docId: string): Promise<string | undefined> {
    return (await this.db.get('texts', docId))?.text;
  }

  /**
   * Stores a document with its text, chunks and vectors in one transaction: it is either all
   * there or not there at all. The first document fixes the knowledge base's model. Refuses a
   * document whose content is already stored (AlreadyStoredError), and turns a full disk into a
   * StorageFullError; either way nothing is written.
   */
  async addDocument(item: NewDocument, { replaces, pending }: AddOptions = {}): Promise<void> {
    const { document, dimension } = item;
    await this.#writeDocuments([item], document.name, async (tx, writes) => {
      await checkModel(tx, writes, document.modelId, dimension);
      // Checked here, not only before embedding: another tab may have stored it meanwhile.
      const same = await tx.objectStore('documents').index('by-hash').get(document.contentHash);
      if (same && same.id !== replaces) throw new AlreadyStoredError(same, document.name);
      if (replaces !== undefined) writes.push(...deleteWrites(tx, replaces));
      if (pending) writes.push(tx.objectStore('pending').delete(pending));
      pushPutWrites(writes, tx, item);
    });
  }

  /**
   * Stores many documents in one transaction (an import): all of them or none. Documents whose
   * content is already stored are skipped, not refused, and returned in `skipped`. Throws
   * EmbeddingModelMismatchError when the knowledge base holds another model's vectors, and
   * StorageFullError (naming `label`) on a full disk; either way nothing is written.
   */
  async addDocuments(
    items: NewDocument[],
    label: string,
  ): Promise<{ added: DocumentRecord[]; skipped: DocumentRecord[] }> {
    const added: DocumentRecord[] = [];
    const skipped: DocumentRecord[] = [];
    await this.#writeDocuments(items, label, async (tx, writes) => {
      const byHash = tx.objectStore('documents').index('by-hash');
      const seen = new Set<string>();
      for (const item of items) {
        const { document, dimension } = item;
        await checkModel(tx, writes, document.modelId, dimension);
        const existing = await byHash.get(document.contentHash);
        const duplicate = existing ?? (seen.has(document.contentHash) ? document : undefined);
        if (duplicate || (await tx.objectStore('documents').getKey(document.id))) {
          skipped.push(duplicate ?? document);
          continue;
        }
        seen.add(document.contentHash);
        pushPutWrites(writes, tx, item);
        added.push(document);
      }
    });
    return { added, skipped };
  }

  /**
   * Runs `issue` in one write transaction and waits for every write it pushes: all are stored,
   * or none. A full disk becomes a StorageFullError naming `label`.
   */
  async #writeDocuments(
    items: NewDocument[],
    label: string,
    issue: (tx: WriteTransaction, writes: Promise<unknown>[]) => Promise<void>,
  ): Promise<void> {
    for (const { document, chunks, vectors, dimension } of items) {
      if (vectors.length !== chunks.length * dimension) {
        throw new RangeError(
          `${document.name}: ${chunks.length} chunks but ${vectors.length / dimension} vectors.`,
        );
      }
    }
    const tx = this.db.transaction(WRITE_STORES, 'readwrite');
    const done = tx.done;
    const fail = (error: unknown) =>
      isQuotaError(error) ? new StorageFullError(label, { cause: error }) : error;
    const writes: Promise<unknown>[] = [];
    try {
      await issue(tx, writes);
      await Promise.all(writes);
    } catch (error) {
      // Requests made before the failure reject with AbortError: expected, not unhandled.
      for (const write of writes) write.catch(() => {});
      abortQuietly(tx);
      await done.catch(() => {});
      throw fail(error);
    }
    // Chromium reports a full disk when the transaction commits, not on a request.
    await done.catch((error: unknown) => {
      throw fail(error);
    });
  }

  /** Removes a document with its text, chunks and vectors; returns whether it existed. */
  async deleteDocument(docId: string): Promise<boolean> {
    const tx = this.db.transaction(WRITE_STORES, 'readwrite');
    const existed = (await tx.objectStore('documents').getKey(docId)) !== undefined;
    await Promise.all(deleteWrites(tx, docId));
    // With no documents left, the next one may use any model.
    if ((await tx.objectStore('documents').count()) === 0) {
      await Promise.all([
        tx.objectStore('meta').delete(META_KEY),
        // Only dead rows are left in them.
        tx.objectStore('segments').clear(),
      ]);
    }
    await tx.done;
    return existed;
  }

  /** Records files about to be added, in one transaction (see PendingRecord). */
  async addPending(records: PendingRecord[]): Promise<void> {
    const tx = this.db.transaction('pending', 'readwrite');
    try {
      await Promise.all([...records.map((r) => tx.store.put(r)), tx.done]);
    } catch (error) {
      // Not even this fits: the first file would not either.
      if (isQuotaError(error) && records[0]) {
        throw new StorageFullError(records[0].name, { cause: error });
      }
      throw error;
    }
  }

  /** Forgets the pending files of `owner` numbered `from` to `to`: stored, failed or skipped. */
  async deletePending(owner: string, from: number, to = from): Promise<void> {
    await this.db.delete('pending', IDBKeyRange.bound([owner, from], [owner, to]));
  }

  /** Every owner with pending files, each once. */
  async pendingOwners(): Promise<string[]> {
    const keys = await this.db.getAllKeys('pending');
    return [...new Set(keys.map(([owner]) => owner))];
  }

  /** Removes and returns every pending file of `owner`, in one transaction. */
  async takePending(owner: string): Promise<PendingRecord[]> {
    const tx = this.db.transaction('pending', 'readwrite');
    const range = IDBKeyRange.bound([owner, -Infinity], [owner, Infinity]);
    const [records] = await Promise.all([tx.store.getAll(range), tx.store.delete(range), tx.done]);
    return records;
  }

  keywordSnapshot(): Promise<KeywordIndexSnapshot | undefined> {
    return this.db.get('keywords', 'snapshot');
  }

  /**
   * Saves the keyword index unless it holds a document that no longer exists (deleted meanwhile,
   * perhaps by another tab): such a snapshot would bring it back. Returns whether it was saved.
   */
  async saveKeywordSnapshot(snapshot: KeywordIndexSnapshot): Promise<boolean> {
    const tx = this.db.transaction(['documents', 'keywords'], 'readwrite');
    const stored = new Set(await tx.objectStore('documents').getAllKeys());
    if (!snapshot.docIds.every((id) => stored.has(id))) {
      await tx.done;
      return false;
    }
    await Promise.all([tx.objectStore('keywords').put(snapshot, 'snapshot'), tx.done]);
    return true;
  }

  /** Every vector block, in key order (document id, then block). */
  allVectorBlocks(): Promise<VectorBlock[]> {
    return this.db.getAll('vectors');
  }

  vectorBlocksOf(docId: string): Promise<VectorBlock[]> {
    return this.db.getAll('vectors', docRange(docId));
  }

  /** A document's vectors, row i for chunk ordinal i (as given to addDocument). */
  async vectorsOf(docId: string, dimension: number): Promise<Float32Array> {
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
  async readVectors({ deferCodes = false }: { deferCodes?: boolean } = {}): Promise<StoredVectors> {
    const { meta, documents, blocks, liveBlocks, segments, live } = await this.#vectorState();
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
  async #vectorState() {
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
  async compactVectors(): Promise<CompactionResult | null> {
    const { meta, documents, blocks, segments, live } = await this.#vectorState();
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
      if (block.dimension !== dim) continue; // cannot happen: addDocument checks the model
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

  chunksOf(docId: string): Promise<ChunkRecord[]> {
    return this.db.getAll('chunks', docRange(docId));
  }

  /** The chunks at `keys`, in the same order; missing ones (deleted meanwhile) are undefined. */
  async getChunks(keys: [string, number][]): Promise<(ChunkRecord | undefined)[]> {
    const tx = this.db.transaction('chunks');
    const store = tx.objectStore('chunks');
    const chunks = await Promise.all(keys.map((key) => store.get(key)));
    await tx.done;
    return chunks;
  }

  /**
   * Swaps every document's chunks and vectors for ones made with another model, in one
   * transaction: a knowledge base never holds vectors of two models.
   */
  async replaceEmbeddings(
    modelId: string,
    dimension: number,
    replacements: Omit<NewDocument, 'text' | 'dimension'>[],
  ): Promise<void> {
    const tx = this.db.transaction(STORE_NAMES, 'readwrite');
    const done = tx.done;
    try {
      await Promise.all([
        tx.objectStore('chunks').clear(),
        tx.objectStore('vectors').clear(),
        tx.objectStore('segments').clear(),
        tx.objectStore('keywords').clear(),
      ]);
      const writes: Promise<unknown>[] = [
        tx.objectStore('meta').put({ modelId, dimension, createdAt: Date.now() }, META_KEY),
      ];
      for (const { document, chunks, vectors } of replacements) {
        writes.push(tx.objectStore('documents').put({ ...document, modelId }));
        for (const chunk of chunks) writes.push(tx.objectStore('chunks').put(chunk));
        for (const block of toVectorBlocks(document.id, vectors, dimension)) {
          writes.push(tx.objectStore('vectors').put(block));
        }
      }
      await Promise.all(writes);
    } catch (error) {
      abortQuietly(tx);
      await done.catch(() => {});
      throw error;
    }
    await done;
  }

  /** Deletes every document, chunk and vector, and forgets the model. */
  async clear(): Promise<void> {
    const tx = this.db.transaction(STORE_NAMES, 'readwrite');
    await Promise.all([...STORE_NAMES.map((name) => tx.objectStore(name).clear()), tx.done]);
  }
}

type WriteTransaction = IDBPTransaction<
  GroundedSchema,
  (typeof WRITE_STORES)[number][],
  'readwrite'
>;

/**
 * The first document fixes the knowledge base's model; any other model's vectors are refused
 * (EmbeddingModelMismatchError).
 */
async function checkModel(
  tx: WriteTransaction,
  writes: Promise<unknown>[],
  modelId: string,
  dimension: number,
): Promise<void> {
  const meta = await tx.objectStore('meta').get(META_KEY);
  if (!meta) {
    writes.push(
      tx.objectStore('meta').put({ modelId, dimension, createdAt: Date.now() }, META_KEY),
    );
  } else if (meta.modelId !== modelId || meta.dimension !== dimension) {
    throw new EmbeddingModelMismatchError(meta, modelId, dimension);
  }
}

/**
 * Issues the puts that store a document with its text, chunks and vectors, each pushed onto
 * `writes` as it is made, so a put that throws leaves the earlier ones there to be settled.
 */
function pushPutWrites(
  writes: Promise<unknown>[],
  tx: WriteTransaction,
  { document, text, chunks, vectors, dimension }: NewDocument,
): void {
  writes.push(tx.objectStore('documents').put(document));
  writes.push(tx.objectStore('texts').put({ docId: document.id, text }));
  const chunkStore = tx.objectStore('chunks');
  for (const chunk of chunks) writes.push(chunkStore.put(chunk));
  const vectorStore = tx.objectStore('vectors');
  for (const block of toVectorBlocks(document.id, vectors, dimension)) {
    writes.push(vectorStore.put(block));
  }
}

/** The deletes that remove a document with its text, chunks and vectors. */
function deleteWrites(tx: WriteTransaction, docId: string): Promise<void>[] {
  return [
    tx.objectStore('documents').delete(docId),
    tx.objectStore('texts').delete(docId),
    tx.objectStore('chunks').delete(docRange(docId)),
    tx.objectStore('vectors').delete(docRange(docId)),
    tx.objectStore('keywords').delete('snapshot'),
  ];
}

function abortQuietly(tx: IDBTransaction | { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted: nothing was left to undo.
  }
}
