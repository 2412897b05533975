import {
  describeUsage,
  type KnowledgeBaseSize,
  type StorageUsage,
} from '../core/web/storage-usage';

/**
 * Whether the browser keeps this site's data until the person deletes it (persistent storage),
 * and how much of its quota is in use. The browser decides; Grounded asks once documents exist.
 */
export class StorageStatus {
  /** null until known, or where the browser cannot say. */
  persisted = $state<boolean | null>(null);
  usage = $state.raw<StorageUsage | null>(null);
  #manager: StorageManager | undefined;
  #asked = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(manager: StorageManager | undefined = globalThis.navigator?.storage) {
    this.#manager = manager;
  }

  async refresh(): Promise<void> {
    const manager = this.#manager;
    if (!manager) return;
    const [persisted, usage] = await Promise.all([
      manager.persisted?.().catch(() => null) ?? null,
      manager.estimate?.().catch(() => null) ?? null,
    ]);
    this.persisted = persisted;
    this.usage = usage;
  }

  /** Refreshes in a second, once for any number of calls meanwhile (e.g. a batch of files). */
  refreshSoon(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh();
    }, 1000);
  }

  /** Asks once per visit for persistent storage; the answer is shown, never pressed for. */
  async requestPersistence(): Promise<void> {
    if (this.#asked || this.persisted || !this.#manager?.persist) return;
    this.#asked = true;
    this.persisted = await this.#manager.persist().catch(() => false);
  }

  /**
   * Asks for persistent storage because the person pressed the button (the browser may still
   * say no). Resolves with the answer; null where the browser cannot be asked.
   */
  async persist(): Promise<boolean | null> {
    if (!this.#manager?.persist) return null;
    this.#asked = true;
    this.persisted = await this.#manager.persist().catch(() => false);
    return this.persisted;
  }

  /** Usage now, in words (see core/web/storage-usage.ts). */
  async describe(kb?: KnowledgeBaseSize): Promise<string> {
    await this.refresh().catch(() => {});
    return describeUsage(this.usage ?? {}, kb);
  }
}
