import { messageOf } from '../core/text/format';
import { SvelteSet } from 'svelte/reactivity';
import type { DocumentRecord, KnowledgeBaseMeta } from '../core/kb/documents';
import { KnowledgeBase } from '../storage/knowledge-base';
import type { RpcClient } from '../workers/rpc';
import type { SearchMethods } from '../workers/search/protocol';
import { TabSync, type LibraryChange } from './tab-sync';

export interface LibraryOptions {
  /** A change another tab made could not be followed here. */
  onSyncError?: (message: string) => void;
}

/**
 * The documents in the knowledge base, as listed under Documents. Every change it makes or
 * hears of reaches the search worker, and through the BroadcastChannel the other tabs.
 */
export class Library {
  documents = $state.raw<DocumentRecord[]>([]);
  meta = $state.raw<KnowledgeBaseMeta | null>(null);
  loaded = $state(false);
  /** Ids being deleted, so their buttons can show it. */
  readonly deleting = new SvelteSet<string>();
  totalChunks = $derived(this.documents.reduce((n, d) => n + d.chunkCount, 0));
  totalChars = $derived(this.documents.reduce((n, d) => n + d.charCount, 0));
  /** The newest document of each name: a file with that name is offered as its new version. */
  #byName = $derived.by(() => {
    // Built once per list, never mutated: nothing to react to inside it.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const byName = new Map<string, DocumentRecord>();
    for (const d of this.documents) byName.set(d.name, d);
    return byName;
  });
  #kb: Promise<KnowledgeBase>;
  #search: RpcClient<SearchMethods>;
  #sync: TabSync;
  #onSyncError: (message: string) => void;
  /** The read that runs next, which every refresh asked for meanwhile shares. */
  #queued: Promise<void> | null = null;
  #current: Promise<void> = Promise.resolve();

  constructor(
    kb: Promise<KnowledgeBase>,
    search: RpcClient<SearchMethods>,
    { onSyncError = () => {} }: LibraryOptions = {},
  ) {
    this.#kb = kb;
    this.#search = search;
    this.#onSyncError = onSyncError;
    this.#sync = new TabSync((change) => void this.#follow(change));
  }

  /**
   * Reads the list again. Calls made while a read runs share the one after it, so storing
   * thousands of small files costs a few reads, not one each.
   */
  refresh(): Promise<void> {
    if (!this.#queued) {
      const next = this.#current
        .catch(() => {})
        .then(() => {
          this.#queued = null;
          return this.#read();
        });
      this.#queued = next;
      this.#current = next;
    }
    return this.#queued;
  }

  async #read(): Promise<void> {
    const kb = await this.#kb;
    const [documents, meta] = await Promise.all([kb.documents.list(), kb.documents.meta()]);
    this.documents = documents;
    this.meta = meta ?? null;
    this.loaded = true;
  }

  /** The newest stored document called `name`, if any. */
  named(name: string): DocumentRecord | undefined {
    return this.#byName.get(name);
  }

  /** A document the embedding worker has just stored, in place of `replaced` if given. */
  async stored(document: DocumentRecord, replaced?: string): Promise<void> {
    if (replaced !== undefined) await this.#search.call('remove', { docId: replaced });
    await this.#search.call('add', { docId: document.id });
    this.#sync.post({
      type: 'added',
      docId: document.id,
      ...(replaced !== undefined && { replaced }),
    });
    await this.refresh();
  }

  async remove(id: string): Promise<void> {
    this.deleting.add(id);
    try {
      const kb = await this.#kb;
      await kb.documents.delete(id);
      await this.#search.call('remove', { docId: id });
      this.#sync.post({ type: 'removed', docId: id });
      await this.refresh();
    } finally {
      this.deleting.delete(id);
    }
  }

  /**
   * Deletes every document, chunk and vector in one transaction (and the model the vectors were
   * made with), then empties the search worker and tells the other tabs.
   */
  async clear(): Promise<void> {
    const kb = await this.#kb;
    await kb.documents.clear();
    await this.#search.call('open', {});
    this.#sync.post({ type: 'cleared' });
    await this.refresh();
  }

  /** Every document was re-embedded here; the search worker has reloaded. */
  reembedded(): void {
    this.#sync.post({ type: 'reembedded' });
  }

  /** Follows a change another tab made: the search worker first, then the list. */
  async #follow(change: LibraryChange): Promise<void> {
    try {
      switch (change.type) {
        case 'added':
          if (change.replaced !== undefined) {
            await this.#search.call('remove', { docId: change.replaced });
          }
          await this.#search.call('add', { docId: change.docId });
          break;
        case 'removed':
          await this.#search.call('remove', { docId: change.docId });
          break;
        case 'reembedded':
        case 'cleared':
          await this.#search.call('open', {});
          break;
      }
      await this.refresh();
    } catch (error) {
      this.#onSyncError(
        `A change made in another tab could not be shown here (${messageOf(error)}). Reload this page to see the documents as they are.`,
      );
    }
  }
}
