import type { ChunkingOptions } from '../core/text/chunking';
import type { DocumentRecord } from '../core/kb/documents';
import type { KbFileContents, KbFileDocument } from '../core/kb/kb-file';
import type { KnowledgeBase } from './knowledge-base';

export interface ExportProgress {
  /** Documents read, of total. */
  done: number;
  total: number;
}

/**
 * Reads every document with its text, chunks and vectors, for a knowledge base file. Reads one
 * document at a time (each its own transaction), so the page stays responsive and progress shows.
 * Returns null when the knowledge base is empty.
 */
export async function readKnowledgeBase(
  kb: KnowledgeBase,
  {
    chunking,
    appVersion,
    onProgress,
  }: {
    chunking: ChunkingOptions;
    appVersion: string;
    onProgress?: (progress: ExportProgress) => void;
  },
): Promise<KbFileContents | null> {
  const meta = await kb.documents.meta();
  if (!meta) return null;
  const records = await kb.documents.list();
  const documents: KbFileDocument[] = [];
  for (const [i, document] of records.entries()) {
    onProgress?.({ done: i, total: records.length });
    const [text, chunks, vectors] = await Promise.all([
      kb.documents.getText(document.id),
      kb.documents.chunksOf(document.id),
      kb.vectors.ofDocument(document.id, meta.dimension),
    ]);
    // Deleted meanwhile (another tab): left out rather than exported half.
    if (text === undefined) continue;
    if (document.modelId !== meta.modelId || vectors.length !== chunks.length * meta.dimension) {
      throw new Error(
        `The stored vectors of “${document.name}” do not match its chunks, so it cannot be ` +
          'exported. Delete it and add it again, then export.',
      );
    }
    documents.push({ document, text, chunks, vectors });
  }
  onProgress?.({ done: records.length, total: records.length });
  return {
    modelId: meta.modelId,
    dimension: meta.dimension,
    chunking,
    createdAt: Date.now(),
    appVersion,
    documents,
  };
}

/**
 * Stores a decoded file's documents in one transaction: all of them or none. Documents whose
 * content is already stored are skipped. See Documents.addAll for what it throws.
 */
export function storeKbFile(
  kb: KnowledgeBase,
  contents: KbFileContents,
  fileName: string,
): Promise<{ added: DocumentRecord[]; skipped: DocumentRecord[] }> {
  return kb.documents.addAll(
    contents.documents.map(({ document, text, chunks, vectors }) => ({
      document,
      text,
      chunks,
      vectors,
      dimension: contents.dimension,
    })),
    fileName,
  );
}
