import { abortQuietly } from './db';

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

export function isQuotaError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'QuotaExceededError';
}

/**
 * Waits for every write `issue` pushes in `tx`, then for the commit: all are stored, or, when one
 * fails, the transaction is aborted and none is. A full disk becomes `full(cause)`, the error
 * that names what was not stored.
 */
export async function writeAllOrNothing<T extends { done: Promise<void>; abort(): void }>(
  tx: T,
  issue: (tx: T, writes: Promise<unknown>[]) => Promise<void> | void,
  full: (cause: unknown) => Error,
): Promise<void> {
  const done = tx.done;
  const fail = (error: unknown) => (isQuotaError(error) ? full(error) : error);
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
