import type { GroundedDB } from './db';
import type { PendingRecord } from './schema';
import { StorageFullError, isQuotaError } from './storage-full';

/**
 * The files embedding workers have started to add and not yet stored, failed or skipped (see
 * PendingRecord). A document's own transaction deletes its record (Documents.add); what is left
 * when its worker is gone names a file whose adding was interrupted.
 */
export class PendingFiles {
  constructor(private readonly db: GroundedDB) {}

  /** Records files about to be added, in one transaction (see PendingRecord). */
  async add(records: PendingRecord[]): Promise<void> {
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
  async delete(owner: string, from: number, to = from): Promise<void> {
    await this.db.delete('pending', IDBKeyRange.bound([owner, from], [owner, to]));
  }

  /** Every owner with pending files, each once. */
  async owners(): Promise<string[]> {
    const keys = await this.db.getAllKeys('pending');
    return [...new Set(keys.map(([owner]) => owner))];
  }

  /** Removes and returns every pending file of `owner`, in one transaction. */
  async take(owner: string): Promise<PendingRecord[]> {
    const tx = this.db.transaction('pending', 'readwrite');
    const range = IDBKeyRange.bound([owner, -Infinity], [owner, Infinity]);
    const [records] = await Promise.all([tx.store.getAll(range), tx.store.delete(range), tx.done]);
    return records;
  }
}
