/**
 * Tells the other tabs of this origin what changed in the knowledge base, over the
 * BroadcastChannel 'grounded', so each updates its list and its search worker. IndexedDB is
 * shared; what each tab holds in memory is not.
 */

export type LibraryChange =
  /** A document was stored, in place of `replaced` when that is given. */
  | { type: 'added'; docId: string; replaced?: string }
  | { type: 'removed'; docId: string }
  /** Every document was re-embedded: every vector changed. */
  | { type: 'reembedded' }
  /** Every document was deleted (Delete everything). */
  | { type: 'cleared' };

export const CHANNEL_NAME = 'grounded';

export class TabSync {
  #channel: BroadcastChannel | null;

  /** `onChange` hears other tabs' changes, never this one's. */
  constructor(onChange: (change: LibraryChange) => void) {
    this.#channel =
      typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL_NAME);
    this.#channel?.addEventListener('message', (event: MessageEvent<LibraryChange>) =>
      onChange(event.data),
    );
  }

  post(change: LibraryChange): void {
    this.#channel?.postMessage(change);
  }

  close(): void {
    this.#channel?.close();
  }
}
