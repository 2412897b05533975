import type { Page } from 'playwright-core';

/** One store's records as [key, value] pairs, typed arrays spelled out as their bytes in hex. */
export type StoreDump = [unknown, unknown][];
export type DatabaseDump = Record<string, StoreDump>;

/**
 * Every record of every store of the app's database, read in the page with plain IndexedDB (no
 * app code), so two dumps compare byte for byte. Call it once the app has opened the database:
 * opening a database that does not exist yet would create an empty one.
 */
export function dumpDatabase(page: Page, name = 'grounded'): Promise<DatabaseDump> {
  return page.evaluate(async (name) => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const plain = (value: unknown): unknown => {
      if (ArrayBuffer.isView(value)) {
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        return {
          [value.constructor.name]: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(
            '',
          ),
        };
      }
      if (Array.isArray(value)) return value.map(plain);
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
      }
      return value;
    };
    const db = await request(indexedDB.open(name));
    const dump: Record<string, [unknown, unknown][]> = {};
    try {
      for (const store of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(store);
        const [keys, values] = await Promise.all([
          request(tx.objectStore(store).getAllKeys()),
          request(tx.objectStore(store).getAll()),
        ]);
        dump[store] = keys.map((key, i) => [plain(key), plain(values[i])]);
      }
    } finally {
      db.close();
    }
    return dump;
  }, name);
}

/** The records of `dump` that belong to documents other than `docIds` (keys start with the id). */
export function withoutDocuments(dump: DatabaseDump, docIds: string[]): DatabaseDump {
  const belongs = ([key]: [unknown, unknown]) => {
    const id = Array.isArray(key) ? key[0] : key;
    return typeof id === 'string' && docIds.includes(id);
  };
  return Object.fromEntries(
    Object.entries(dump).map(([store, records]) => [
      store,
      store === 'meta' ? records : records.filter((r) => !belongs(r)),
    ]),
  );
}
