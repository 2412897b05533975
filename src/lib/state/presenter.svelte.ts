const STORAGE_KEY = 'grounded:presenter';

/**
 * Presenting on a projector: larger text over the whole interface, kept in localStorage;
 * `?present=1` turns it on for the visit (and `?present=0` off) without saving, like the other
 * URL parameters.
 */
export class Presenter {
  largeText = $state(false);
  #storage: Storage | undefined;

  constructor(storage: Storage | undefined, url: URL) {
    this.#storage = storage;
    try {
      const saved = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '{}') as { largeText?: unknown };
      if (typeof saved.largeText === 'boolean') this.largeText = saved.largeText;
    } catch {
      // Unreadable: the usual size.
    }
    const present = url.searchParams.get('present');
    if (present === '1') this.largeText = true;
    if (present === '0') this.largeText = false;
  }

  toggleLargeText(): void {
    this.largeText = !this.largeText;
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify({ largeText: this.largeText }));
    } catch {
      // Private browsing or a full quota: the choice then lasts for this visit only.
    }
  }
}
