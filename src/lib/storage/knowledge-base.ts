import type { ChunkRecord, DocumentRecord, KnowledgeBaseMeta } from '../core/documents';
import { openGroundedDB, DEFAULT_DB_NAME, type GroundedDB, type OpenOptions } from './db';
import { STORE_NAMES, VECTOR_BLOCK_ROWS, type VectorBlock } from './schema';

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

export interface NewDocument {
  document: DocumentRecord;
  text: string;
  chunks: ChunkRecord[];
  /** chunks.length × dimension values, row i for chunk ordinal i. */
  vectors: Float32Array;
  dimension: number;
}

const META_KEY = 'knowledge-base';

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
    });
  }
  return blocks;
}

function docRange(docId: string): IDBKeyRange {
  return IDBKeyRange.bound([docId, -Infinity], [docId, Infinity]);
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
   * there or not there at all. The first document fixes the knowledge base's model.
   */
  async addDocument({ document, text, chunks, vectors, dimension }: NewDocument): Promise<void> {
    if (vectors.length !== chunks.length * dimension) {
      throw new RangeError(
        `${document.name}: ${chunks.length} chunks but ${vectors.length / dimension} vectors.`,
      );
    }
    const tx = this.db.transaction(STORE_NAMES, 'readwrite');
    const done = tx.done;
    try {
      const meta = await tx.objectStore('meta').get(META_KEY);
      if (!meta) {
        await tx
          .objectStore('meta')
          .put({ modelId: document.modelId, dimension, createdAt: Date.now() }, META_KEY);
      } else if (meta.modelId !== document.modelId || meta.dimension !== dimension) {
        throw new EmbeddingModelMismatchError(meta, document.modelId, dimension);
      }
      const writes: Promise<unknown>[] = [
        tx.objectStore('documents').put(document),
        tx.objectStore('texts').put({ docId: document.id, text }),
      ];
      const chunkStore = tx.objectStore('chunks');
      for (const chunk of chunks) writes.push(chunkStore.put(chunk));
      const vectorStore = tx.objectStore('vectors');
      for (const block of toVectorBlocks(document.id, vectors, dimension)) {
        writes.push(vectorStore.put(block));
      }
      await Promise.all(writes);
    } catch (error) {
      abortQuietly(tx);
      await done.catch(() => {});
      throw error;
    }
    await done;
  }

  /** Removes a document with its text, chunks and vectors; returns whether it existed. */
  async deleteDocument(docId: string): Promise<boolean> {
    const tx = this.db.transaction(STORE_NAMES, 'readwrite');
    const existed = (await tx.objectStore('documents').getKey(docId)) !== undefined;
    await Promise.all([
      tx.objectStore('documents').delete(docId),
      tx.objectStore('texts').delete(docId),
      tx.objectStore('chunks').delete(docRange(docId)),
      tx.objectStore('vectors').delete(docRange(docId)),
    ]);
    // With no documents left, the next one may use any model.
    if ((await tx.objectStore('documents').count()) === 0) {
      await tx.objectStore('meta').delete(META_KEY);
    }
    await tx.done;
    return existed;
  }

  /** Every vector block, in key order (document id, then block). */
  allVectorBlocks(): Promise<VectorBlock[]> {
    return this.db.getAll('vectors');
  }

  vectorBlocksOf(docId: string): Promise<VectorBlock[]> {
    return this.db.getAll('vectors', docRange(docId));
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
      await Promise.all([tx.objectStore('chunks').clear(), tx.objectStore('vectors').clear()]);
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

function abortQuietly(tx: IDBTransaction | { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted: nothing was left to undo.
  }
}
