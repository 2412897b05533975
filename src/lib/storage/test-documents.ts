import type { ChunkRecord, DocumentRecord } from '../core/kb/documents';

/**
 * A document ready to store, for the storage tests: `chunks` chunks of ten characters, and
 * vectors of `dim` dimensions that differ between documents whose ids differ in length.
 */
export function makeDoc(id: string, chunks: number, dim = 4, modelId = 'test/model') {
  const document: DocumentRecord = {
    id,
    name: `${id}.md`,
    size: 100,
    format: 'markdown',
    addedAt: Date.now(),
    chunkCount: chunks,
    charCount: chunks * 10,
    contentHash: `hash-${id}`,
    modelId,
    chunking: { targetTokens: 200, overlapTokens: 40 },
    warnings: [],
  };
  const records: ChunkRecord[] = Array.from({ length: chunks }, (_, ordinal) => ({
    docId: id,
    ordinal,
    start: ordinal * 10,
    end: ordinal * 10 + 10,
    text: `chunk ${ordinal} of ${id}`,
    headingPath: ['Title'],
    tokens: 5,
  }));
  const vectors = Float32Array.from({ length: chunks * dim }, (_, i) => i + id.length);
  return { document, text: 'x'.repeat(chunks * 10), chunks: records, vectors, dimension: dim };
}
