import { SvelteSet } from 'svelte/reactivity';
import type { DocumentRecord, KnowledgeBaseMeta } from '../core/documents';
import { KnowledgeBase } from '../storage/knowledge-base';
import type { RpcClient } from '../workers/rpc';
import type { SearchMethods } from '../workers/search-protocol';

/** The documents in the knowledge base, as listed under Documents. */
export class Library {
  documents = $state.raw<DocumentRecord[]>([]);
  meta = $state.raw<KnowledgeBaseMeta | null>(null);
  loaded = $state(false);
  /** Ids being deleted, so their buttons can show it. */
  readonly deleting = new SvelteSet<string>();
  totalChunks = $derived(this.documents.reduce((n, d) => n + d.chunkCount, 0));
  #kb: Promise<KnowledgeBase>;
  #search: RpcClient<SearchMethods>;

  constructor(kb: Promise<KnowledgeBase>, search: RpcClient<SearchMethods>) {
    this.#kb = kb;
    this.#search = search;
  }

  async refresh(): Promise<void> {
    const kb = await this.#kb;
    const [documents, meta] = await Promise.all([kb.listDocuments(), kb.meta()]);
    this.documents = documents;
    this.meta = meta ?? null;
    this.loaded = true;
  }

  /** A document the embedding worker has just stored. */
  async added(document: DocumentRecord): Promise<void> {
    await this.#search.call('add', { docId: document.id });
    await this.refresh();
  }

  async remove(id: string): Promise<void> {
    this.deleting.add(id);
    try {
      const kb = await this.#kb;
      await kb.deleteDocument(id);
      await this.#search.call('remove', { docId: id });
      await this.refresh();
    } finally {
      this.deleting.delete(id);
    }
  }
}
