import type { KeywordIndexSnapshot } from '../core/retrieval/bm25';
import type { GroundedDB } from './db';

/**
 * The keyword index as a search worker last saved it, so opening restores it instead of
 * analyzing every chunk again. Deleting a document or re-chunking all of them drops it in the
 * same transaction (Documents.delete, replaceEmbeddings): a restored index never
 * finds a document that is gone.
 */
export class KeywordSnapshot {
  constructor(private readonly db: GroundedDB) {}

  read(): Promise<KeywordIndexSnapshot | undefined> {
    return this.db.get('keywords', 'snapshot');
  }

  /**
   * Saves the keyword index unless it holds a document that no longer exists (deleted meanwhile,
   * perhaps by another tab): such a snapshot would bring it back. Returns whether it was saved.
   */
  async save(snapshot: KeywordIndexSnapshot): Promise<boolean> {
    const tx = this.db.transaction(['documents', 'keywords'], 'readwrite');
    const stored = new Set(await tx.objectStore('documents').getAllKeys());
    if (!snapshot.docIds.every((id) => stored.has(id))) {
      await tx.done;
      return false;
    }
    await Promise.all([tx.objectStore('keywords').put(snapshot, 'snapshot'), tx.done]);
    return true;
  }
}
