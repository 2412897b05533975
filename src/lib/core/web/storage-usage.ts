/** What the browser's storage holds, in words, for the Documents panel and a full-disk alert. */

import { formatBytes } from '../text/format';

/** `navigator.storage.estimate()`'s answer; Chromium adds `usageDetails`. */
export interface StorageUsage {
  usage?: number;
  quota?: number;
  usageDetails?: Record<string, number>;
}

/** The knowledge base's own share, counted from what it stores. */
export interface KnowledgeBaseSize {
  /** Stored vectors: chunks × dimension × 4 bytes. */
  vectorBytes: number;
  /** Document text, stored once whole and once again in its chunks, UTF-16. */
  textBytes: number;
}

/** Chromium's usageDetails keys, named for what Grounded keeps in each. */
const DETAIL_NAMES: Record<string, string> = {
  caches: 'model files in the cache',
  indexedDB: 'IndexedDB',
  fileSystem: 'model files in the file system',
};

/** The size of a knowledge base of `chunks` vectors of `dimension` and `chars` characters. */
export function knowledgeBaseSize(
  chunks: number,
  dimension: number,
  chars: number,
): KnowledgeBaseSize {
  return { vectorBytes: chunks * dimension * 4, textBytes: chars * 2 * 2 };
}

/**
 * "12.4 MB of 2.1 GB in use: model files in the cache 9.5 MB, IndexedDB 2.9 MB, of which
 * documents about 2.2 MB (vectors 1.5 MB, text 700 KB)." Parts the browser does not report are
 * left out.
 */
export function describeUsage(usage: StorageUsage, kb?: KnowledgeBaseSize): string {
  const parts: string[] = [];
  const documents =
    kb && kb.vectorBytes + kb.textBytes > 0
      ? `documents about ${formatBytes(kb.vectorBytes + kb.textBytes)} (vectors ` +
        `${formatBytes(kb.vectorBytes)}, text ${formatBytes(kb.textBytes)})`
      : null;
  let documentsPlaced = false;
  for (const [key, bytes] of Object.entries(usage.usageDetails ?? {})) {
    const name = DETAIL_NAMES[key];
    if (!name || bytes <= 0) continue;
    if (key === 'indexedDB' && documents) {
      parts.push(`${name} ${formatBytes(bytes)}, of which ${documents}`);
      documentsPlaced = true;
    } else {
      parts.push(`${name} ${formatBytes(bytes)}`);
    }
  }
  if (documents && !documentsPlaced) parts.push(documents);
  const total =
    usage.usage === undefined
      ? 'The browser does not say how much storage is in use'
      : usage.quota
        ? `${formatBytes(usage.usage)} of ${formatBytes(usage.quota)} in use`
        : `${formatBytes(usage.usage)} in use`;
  return parts.length > 0 ? `${total}: ${parts.join(', ')}.` : `${total}.`;
}
