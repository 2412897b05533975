import { openDB, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { GroundedSchema } from './schema';

export type GroundedDB = IDBPDatabase<GroundedSchema>;
type UpgradeTransaction = IDBPTransaction<
  GroundedSchema,
  StoreNames<GroundedSchema>[],
  'versionchange'
>;

export const DEFAULT_DB_NAME = 'grounded';

/**
 * migrations[i] upgrades a database at version i to version i + 1. Append only: a released
 * migration never changes, so every user's database takes the same path.
 */
export const migrations: ((db: GroundedDB, tx: UpgradeTransaction) => void)[] = [
  (db) => {
    db.createObjectStore('meta');
    const documents = db.createObjectStore('documents', { keyPath: 'id' });
    documents.createIndex('by-hash', 'contentHash');
    documents.createIndex('by-name', 'name');
    db.createObjectStore('texts', { keyPath: 'docId' });
    db.createObjectStore('chunks', { keyPath: ['docId', 'ordinal'] });
    db.createObjectStore('vectors', { keyPath: ['docId', 'block'] });
  },
  (db) => {
    db.createObjectStore('pending', { keyPath: ['owner', 'seq'] });
  },
  (db) => {
    db.createObjectStore('segments', { keyPath: 'id' });
    db.createObjectStore('keywords');
  },
  (db) => {
    db.createObjectStore('evalRuns', { keyPath: 'id' });
    db.createObjectStore('evalRunSummaries', { keyPath: 'id' });
  },
];

export const SCHEMA_VERSION = migrations.length;

export interface OpenOptions {
  /** Another tab or worker wants a newer schema: this connection has been closed. */
  onVersionChange?: () => void;
  /**
   * This connection needs a newer schema, and another tab (an older version of the app that
   * does not let go) still holds the database open: opening waits until that tab closes.
   */
  onBlocked?: () => void;
  /** The browser closed the connection on its own (the database was deleted, or a disk error). */
  onTerminated?: () => void;
}

export async function openGroundedDB(
  name = DEFAULT_DB_NAME,
  { onVersionChange, onBlocked, onTerminated }: OpenOptions = {},
): Promise<GroundedDB> {
  const db = await openDB<GroundedSchema>(name, SCHEMA_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      for (let v = oldVersion; v < SCHEMA_VERSION; v++) migrations[v]!(db, tx);
    },
    blocked() {
      onBlocked?.();
    },
    blocking() {
      // Holding on would block the other connection's upgrade forever.
      db.close();
      onVersionChange?.();
    },
    terminated() {
      onTerminated?.();
    },
  });
  return db;
}

/** Rolls back a transaction that may have finished or aborted already. */
export function abortQuietly(tx: IDBTransaction | { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted: nothing was left to undo.
  }
}
