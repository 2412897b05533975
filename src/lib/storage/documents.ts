import type { IDBPTransaction } from 'idb';
import type { ChunkRecord, DocumentRecord, KnowledgeBaseMeta } from '../core/kb/documents';
import { abortQuietly, type GroundedDB } from './db';
import {
  EVAL_RUN_STORES,
  type GroundedSchema,
  META_KEY,
  STORE_NAMES,
  docRange,
  type PendingKey,
} from './schema';
import { StorageFullError, writeAllOrNothing } from './storage-full';
import { toVectorBlocks } from './vector-segments';

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

export interface NewDocument {
  document: DocumentRecord;
  text: string;
  chunks: ChunkRecord[];
  /** chunks.length × dimension values, row i for chunk ordinal i. */
  vectors: Float32Array;
  dimension: number;
}

/** Adding and deleting documents also settles their pending records. */
const WRITE_STORES = [...STORE_NAMES, 'pending'] as const;

/**
 * Documents with their text, chunks and vectors, and the model that made them: the one place
 * that writes them. Each write is one transaction over every store it touches — adding a
 * document also deletes the one it replaces and its file's pending record, deleting one also
 * drops the keyword snapshot — so a document is all there or absent.
 */
export class Documents {
  constructor(private readonly db: GroundedDB) {}

  /** Which model made the stored vectors, and their dimension: the first document decides. */
  meta(): Promise<KnowledgeBaseMeta | undefined> {
    return this.db.get('meta', META_KEY);
  }

  async list(): Promise<DocumentRecord[]> {
    const docs = await this.db.getAll('documents');
    return docs.sort((a, b) => a.addedAt - b.addedAt || a.name.localeCompare(b.name));
  }

  get(id: string): Promise<DocumentRecord | undefined> {
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
  async add(item: NewDocument, { replaces, pending }: AddOptions = {}): Promise<void> {
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
  async addAll(
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
    await writeAllOrNothing(
      this.db.transaction(WRITE_STORES, 'readwrite'),
      issue,
      (cause) => new StorageFullError(label, { cause }),
    );
  }

  /** Removes a document with its text, chunks and vectors; returns whether it existed. */
  async delete(docId: string): Promise<boolean> {
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

  /**
   * Deletes every document, chunk and vector, forgets the model, and deletes the evaluation runs
   * kept: this is what Storage's "Delete everything" calls, and a run describes a knowledge base
   * that is then gone.
   */
  async clear(): Promise<void> {
    const stores = [...STORE_NAMES, ...EVAL_RUN_STORES];
    const tx = this.db.transaction(stores, 'readwrite');
    await Promise.all([...stores.map((name) => tx.objectStore(name).clear()), tx.done]);
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
