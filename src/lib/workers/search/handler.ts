import { KeywordIndex } from '../../core/retrieval/bm25';
import type { Passage } from '../../core/kb/documents';
import { retrieve } from '../../core/retrieval/retrieval';
import { VectorIndex, encodeRows } from '../../core/retrieval/vector-index';
import type { KnowledgeBase } from '../../storage/knowledge-base';
import { type Handlers } from '../rpc';
import type { SearchMethods } from './protocol';

export interface SearchHandlerDeps {
  openKnowledgeBase(): Promise<KnowledgeBase>;
  /**
   * How long after opening, or after the last added or removed document, to compact the stored
   * vectors (VectorStore.compact) and save the keyword index; null never does. Default
   * 3 s: after a batch of files, once.
   */
  compactAfterMs?: number | null;
}

/** One compaction at a time across tabs; a tab that finds one running leaves it to that one. */
function exclusively(run: () => Promise<unknown>): Promise<unknown> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return run();
  return locks.request('grounded-compaction', { ifAvailable: true }, (lock) =>
    lock ? run() : null,
  );
}

interface DocInfo {
  name: string;
  chunkCount: number;
}

/** A file name without its extension: “handbook.md” is about a handbook, not about markdown. */
function titleOf(name: string): string {
  return name.replace(/\.[^.\s]{1,8}$/, '');
}

export function createSearchHandlers(deps: SearchHandlerDeps): Handlers<SearchMethods> {
  let kb: Promise<KnowledgeBase> | null = null;
  let index: VectorIndex | null = null;
  /** Settles once the index opened last has its codes and can change (see open). */
  let codesReady: Promise<void> = Promise.resolve();
  const docs = new Map<string, DocInfo>();
  const knowledgeBase = () => (kb ??= deps.openKnowledgeBase());

  // The keyword index is restored from its saved snapshot, or built from the stored chunks, in
  // the background after `open`, so opening waits for the vectors only; keyword and hybrid
  // searches wait for it. Later changes are chained after it in request order. A failed step
  // drops the index: the next search rebuilds it from the store.
  let keywords: Promise<KeywordIndex> | null = null;
  const settle = (promise: Promise<KeywordIndex>) => {
    keywords = promise;
    promise.catch(() => {
      if (keywords === promise) keywords = null;
    });
    return promise;
  };
  const keywordIndex = () =>
    keywords ??
    settle(
      (async () => {
        const store = await knowledgeBase();
        const [documents, snapshot] = await Promise.all([
          store.documents.list(),
          store.keywords.read().catch(() => undefined),
        ]);
        let built = new KeywordIndex();
        try {
          if (snapshot) built = KeywordIndex.fromSnapshot(snapshot);
        } catch {
          // A snapshot of another format: build afresh.
        }
        const current = new Set(documents.map((d) => d.id));
        let changed = !snapshot;
        for (const id of snapshot?.docIds ?? []) {
          if (!current.has(id)) changed = built.remove(id) > 0 || changed;
        }
        for (const document of documents) {
          if (built.has(document.id)) continue;
          const chunks = await store.documents.chunksOf(document.id);
          built.add(document.id, titleOf(document.name), chunks);
          changed = true;
        }
        built.flush();
        if (changed) keywordsChanged = true;
        return built;
      })(),
    );
  const updateKeywords = (step: (keywordIndex: KeywordIndex) => Promise<void> | void) => {
    keywordsChanged = true;
    // Not built yet: the build will read the store as it is then.
    if (keywords) {
      settle(keywords.then(async (built) => (await step(built), built))).catch(() => {});
    }
  };

  // After changes settle, the vectors are compacted and the keyword index saved, so the next
  // opening is fast. Both rewrite how things are stored, never what: searches go on meanwhile,
  // and if either fails nothing is lost (opening reads what is there).
  const tidyAfterMs = deps.compactAfterMs === undefined ? 3000 : deps.compactAfterMs;
  let keywordsChanged = false;
  let tidyTimer: ReturnType<typeof setTimeout> | null = null;
  const tidy = async () => {
    const store = await knowledgeBase();
    await exclusively(() => store.vectors.compact()).catch(() => {});
    if (keywordsChanged && keywords) {
      keywordsChanged = false;
      const built = await keywords;
      if (!(await store.keywords.save(built.toSnapshot()).catch(() => false))) {
        keywordsChanged = true; // another tab deleted a document meanwhile: next time
      }
    }
  };
  const tidySoon = () => {
    if (tidyAfterMs === null) return;
    if (tidyTimer !== null) clearTimeout(tidyTimer);
    tidyTimer = setTimeout(() => {
      tidyTimer = null;
      tidy().catch(() => {});
    }, tidyAfterMs);
  };

  return {
    async open() {
      const started = performance.now();
      const store = await knowledgeBase();
      // The int8 codes are read after opening: until they are there, searches scan the Float32
      // rows (exact, only slower), and changes to the index wait for them.
      const [documents, stored] = await Promise.all([
        store.documents.list(),
        store.vectors.read({ deferCodes: true }),
      ]);
      docs.clear();
      for (const d of documents) docs.set(d.id, { name: d.name, chunkCount: d.chunkCount });
      const opened = stored.rows ? VectorIndex.fromEncoded(stored.rows, stored.runs) : null;
      index = opened;
      // Dead rows, and documents deleted between the two reads, leave once the codes are there.
      const gone = new Set(stored.runs.map((r) => r.docId).filter((id) => !docs.has(id)));
      codesReady = (async () => {
        if (!opened?.codesMissing) return;
        const codes = await stored.readCodes().catch(() => null);
        // Unreadable codes can be made again from the rows: slower, same codes.
        opened.attachCodes(codes ?? encodeRows(stored.rows!.vectors, opened.dim).codes);
        for (const docId of gone) opened.remove(docId);
      })();
      // A search must never find them meanwhile.
      if (gone.size > 0) await codesReady;
      keywords = null;
      keywordIndex()
        .then(() => {
          if (stored.compactable || keywordsChanged) tidySoon();
        })
        .catch(() => {}); // a search will retry and report the error
      return {
        documents: docs.size,
        vectors: index?.size ?? 0,
        dimension: index?.dim ?? null,
        ms: performance.now() - started,
      };
    },

    async add({ docId }) {
      const store = await knowledgeBase();
      await codesReady;
      const [document, meta] = await Promise.all([
        store.documents.get(docId),
        store.documents.meta(),
      ]);
      const vectors =
        document && meta ? await store.vectors.ofDocument(docId, meta.dimension) : null;
      index?.remove(docId);
      updateKeywords(async (built) => {
        built.remove(docId);
        if (document) {
          built.add(docId, titleOf(document.name), await store.documents.chunksOf(docId));
        }
      });
      if (!document) {
        docs.delete(docId);
        return { vectors: 0 };
      }
      docs.set(docId, { name: document.name, chunkCount: document.chunkCount });
      if (!vectors || vectors.length === 0) return { vectors: 0 };
      const dim = meta!.dimension;
      index ??= new VectorIndex(dim);
      if (index.dim !== dim) {
        throw new RangeError(
          `Stored vectors of ${document.name} have ${dim} dimensions, not ${index.dim}.`,
        );
      }
      index.add(docId, 0, vectors);
      tidySoon();
      return { vectors: vectors.length / dim };
    },

    async remove({ docId }) {
      docs.delete(docId);
      await codesReady;
      const vectors = index?.remove(docId) ?? 0;
      updateKeywords((built) => void built.remove(docId));
      tidySoon();
      if (docs.size === 0) index = null; // the next document may come from another model
      return { vectors };
    },

    async search({ vector = null, k, text = '', mode = 'hybrid', fusion }) {
      const started = performance.now();
      if (vector && index && vector.length !== index.dim) {
        throw new RangeError(
          `The question was embedded with ${vector.length} dimensions but the documents with ` +
            `${index.dim}: re-embed the documents with the current model.`,
        );
      }
      const wantsKeywords = mode !== 'dense' && text.trim() !== '';
      const retrieval = retrieve(
        {
          vectors: index && index.size > 0 ? index : null,
          keywords: wantsKeywords ? await keywordIndex() : null,
        },
        { text, vector },
        { mode, k, fusion },
      );
      const { chunks: hits, mode: ran } = retrieval;
      if (hits.length === 0) return { passages: [], ms: performance.now() - started, mode: ran };
      const store = await knowledgeBase();
      const chunks = await store.documents.getChunks(hits.map((h) => [h.docId, h.ordinal]));
      const passages: Passage[] = [];
      hits.forEach((hit, i) => {
        const chunk = chunks[i];
        const doc = docs.get(hit.docId);
        if (!chunk || !doc) return; // deleted while searching
        passages.push({
          rank: passages.length + 1,
          score: hit.fusedScore,
          docId: hit.docId,
          docName: doc.name,
          ordinal: hit.ordinal,
          chunkCount: doc.chunkCount,
          start: chunk.start,
          end: chunk.end,
          headingPath: chunk.headingPath,
          text: chunk.text,
          ...(chunk.page !== undefined && { page: chunk.page }),
          ...(ran !== 'keyword' && { denseRank: hit.denseRank, denseScore: hit.denseScore }),
          ...(ran !== 'dense' && {
            keywordRank: hit.keywordRank,
            keywordScore: hit.keywordScore,
            matchedTerms: hit.matchedTerms,
          }),
          fusedRank: hit.fusedRank,
        });
      });
      return { passages, ms: performance.now() - started, mode: ran };
    },
  };
}
