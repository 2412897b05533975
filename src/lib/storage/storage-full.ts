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
