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
    const hex = (bytes: Uint8Array) =>
      Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    // Vector segments hold Blobs: their bytes, not their (empty) own properties, are the data.
    const plain = async (value: unknown): Promise<unknown> => {
      if (ArrayBuffer.isView(value)) {
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        return { [value.constructor.name]: hex(bytes) };
      }
      if (value instanceof Blob) return { Blob: hex(new Uint8Array(await value.arrayBuffer())) };
      if (Array.isArray(value)) return Promise.all(value.map(plain));
      if (value && typeof value === 'object') {
        const entries = await Promise.all(
          Object.entries(value).map(async ([k, v]) => [k, await plain(v)] as const),
        );
        return Object.fromEntries(entries);
      }
      return value;
    };
    const db = await request(indexedDB.open(name));
    const dump: Record<string, [unknown, unknown][]> = {};
    try {
      // `keywords` is a cache of the keyword index the search worker saves when it likes; it is
      // derived from the chunks, which are compared.
      for (const store of Array.from(db.objectStoreNames).filter((s) => s !== 'keywords')) {
        const tx = db.transaction(store);
        const [keys, values] = await Promise.all([
          request(tx.objectStore(store).getAllKeys()),
          request(tx.objectStore(store).getAll()),
        ]);
        dump[store] = await Promise.all(
          keys.map(
            async (key, i) => [await plain(key), await plain(values[i])] as [unknown, unknown],
          ),
        );
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
