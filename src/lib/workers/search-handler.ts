import type { Passage } from '../core/documents';
import { VectorIndex } from '../core/vector-index';
import type { KnowledgeBase } from '../storage/knowledge-base';
import type { VectorBlock } from '../storage/schema';
import { type Handlers } from './rpc';
import type { SearchMethods } from './search-protocol';

export interface SearchHandlerDeps {
  openKnowledgeBase(): Promise<KnowledgeBase>;
}

interface DocInfo {
  name: string;
  chunkCount: number;
}

export function createSearchHandlers(deps: SearchHandlerDeps): Handlers<SearchMethods> {
  let kb: Promise<KnowledgeBase> | null = null;
  let index: VectorIndex | null = null;
  const docs = new Map<string, DocInfo>();
  const knowledgeBase = () => (kb ??= deps.openKnowledgeBase());

  const addBlocks = (blocks: VectorBlock[]) => {
    for (const block of blocks) {
      index ??= new VectorIndex(block.dimension);
      if (block.dimension !== index.dim) {
        throw new RangeError(
          `Stored vectors of ${block.docId} have ${block.dimension} dimensions, not ${index.dim}.`,
        );
      }
      index.add(block.docId, block.firstOrdinal, block.vectors);
    }
  };

  return {
    async open() {
      const started = performance.now();
      const store = await knowledgeBase();
      const [meta, documents, blocks] = await Promise.all([
        store.meta(),
        store.listDocuments(),
        store.allVectorBlocks(),
      ]);
      docs.clear();
      for (const d of documents) docs.set(d.id, { name: d.name, chunkCount: d.chunkCount });
      const rows = blocks.reduce((n, b) => n + b.count, 0);
      index = meta ? new VectorIndex(meta.dimension, Math.max(rows, 1024)) : null;
      addBlocks(blocks.filter((b) => docs.has(b.docId)));
      return {
        documents: docs.size,
        vectors: index?.size ?? 0,
        dimension: index?.dim ?? null,
        ms: performance.now() - started,
      };
    },

    async add({ docId }) {
      const store = await knowledgeBase();
      const [document, blocks] = await Promise.all([
        store.getDocument(docId),
        store.vectorBlocksOf(docId),
      ]);
      index?.remove(docId);
      if (!document) {
        docs.delete(docId);
        return { vectors: 0 };
      }
      docs.set(docId, { name: document.name, chunkCount: document.chunkCount });
      addBlocks(blocks);
      return { vectors: blocks.reduce((n, b) => n + b.count, 0) };
    },

    async remove({ docId }) {
      docs.delete(docId);
      const vectors = index?.remove(docId) ?? 0;
      if (docs.size === 0) index = null; // the next document may come from another model
      return { vectors };
    },

    async search({ vector, k }) {
      const started = performance.now();
      if (!index || index.size === 0) return { passages: [], ms: performance.now() - started };
      if (vector.length !== index.dim) {
        throw new RangeError(
          `The question was embedded with ${vector.length} dimensions but the documents with ` +
            `${index.dim}: re-embed the documents with the current model.`,
        );
      }
      const hits = index.search(vector, k);
      const store = await knowledgeBase();
      const chunks = await store.getChunks(hits.map((h) => [h.docId, h.ordinal]));
      const passages: Passage[] = [];
      hits.forEach((hit, i) => {
        const chunk = chunks[i];
        const doc = docs.get(hit.docId);
        if (!chunk || !doc) return; // deleted while searching
        passages.push({
          rank: passages.length + 1,
          score: hit.score,
          docId: hit.docId,
          docName: doc.name,
          ordinal: hit.ordinal,
          chunkCount: doc.chunkCount,
          start: chunk.start,
          end: chunk.end,
          headingPath: chunk.headingPath,
          text: chunk.text,
        });
      });
      return { passages, ms: performance.now() - started };
    },
  };
}
