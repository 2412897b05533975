import { chunkDocument, type ChunkingOptions } from '../../core/text/chunking';
import type { ChunkRecord, DocumentRecord } from '../../core/kb/documents';
import type { DocumentFormat } from '../../core/text/document-format';
import { embedByLength, passageEmbeddingText } from '../../core/text/embedding-input';
import { pageAt } from '../../core/text/pages';
import { withCharacterFloor } from '../../core/text/token-estimate';
import { SELF_CHECK_SENTENCES, type SelfCheck } from '../../core/models/vector-agreement';
import type { EmbeddingModelSpec } from '../../core/models/embedding-catalogue';
import type { DownloadProgress, Embedder } from '../../engines/embedding/embedder';
import type { EmbeddingBackend } from '../../core/models/embedding-backend';
import { readDocument } from '../../ingest/read-document';
import { AlreadyStoredError, type Documents } from '../../storage/documents';
import type { KnowledgeBase } from '../../storage/knowledge-base';
import { StorageFullError } from '../../storage/storage-full';
import type { PendingKey } from '../../storage/schema';
import type {
  BackendPreference,
  EmbedMethods,
  FileProgress,
  IngestFile,
  LoadResult,
} from './protocol';
import { abortError, serializeError, Transfer, type Handlers } from '../rpc';
import { loadWithFallback } from './backend-fallback';

export interface EmbedHandlerDeps {
  openKnowledgeBase(): Promise<KnowledgeBase>;
  loadEmbedder(options: {
    model: EmbeddingModelSpec;
    backend: EmbeddingBackend;
    remoteHost?: string;
    onProgress: (progress: DownloadProgress) => void;
  }): Promise<Embedder>;
  /** null when WebGPU can be used, otherwise why not. */
  webgpuUnavailableReason(): Promise<string | null>;
  /**
   * The WebGPU adapter, as the self-check's verdicts are remembered by; without it there is no
   * self-check.
   */
  webgpuDevice?(): Promise<string>;
  newId?: () => string;
  /**
   * Who records the files being added as pending (storage/pending-owner.ts): `ready` resolves
   * once the lock that says this worker lives is held. A fresh id, held at once, when absent.
   */
  owner?: { id: string; ready: Promise<void> };
}

/**
 * Chunks embedded per model call, by backend. A batch is padded to its longest chunk, and on the
 * CPU (WASM) a call costs in proportion to its tokens, padding included, while its own overhead
 * is small beside a chunk of 50–200 tokens: batches of 16 in document order ran at 0.65–0.75×
 * the speed of one chunk a call, and length-sorted batches of 4 were no surer win (0.7–1.4× over
 * three runs; BENCHMARKS.md, ingest throughput). One a call also gives a chunk the same q8 vector
 * whatever its neighbours. A GPU needs batches to keep busy; 16 stays small enough to cancel
 * promptly.
 */
export const EMBED_BATCH: Readonly<Record<EmbeddingBackend, number>> = {
  webgpu: 16,
  wasm: 1,
  cpu: 1,
};

/**
 * Sentences embedded per call by 'embed-texts', by backend. On WASM one a call is fastest even
 * for sentences of 10–40 tokens, as for chunks: 63 sentences took 386 ms one a call, 454 ms in
 * length-sorted batches of 8 and 1,162 ms in batches of 32 (BENCHMARKS.md, answer inspector). It
 * also gives a sentence the same q8 vector whatever its neighbours, as calibration embedded it.
 */
export const SENTENCE_BATCH: Readonly<Record<EmbeddingBackend, number>> = {
  webgpu: 32,
  wasm: 1,
  cpu: 1,
};

/** Chunks between two reports of embedding progress. */
const PROGRESS_EVERY = 16;

export class NotLoadedError extends Error {
  override name = 'NotLoadedError';
  constructor() {
    super('The embedding model is not loaded yet.');
  }
}

/** A loaded embedder and the spec it was loaded from (its prefixes). */
export interface LoadedModel {
  model: EmbeddingModelSpec;
  embedder: Embedder;
}

interface Loaded extends LoadedModel {
  key: string;
  result: LoadResult;
}

export function createEmbedHandlers(deps: EmbedHandlerDeps): Handlers<EmbedMethods> {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const owner = deps.owner ?? { id: newId(), ready: Promise.resolve() };
  let nextSeq = 0;
  let loaded: Loaded | null = null;
  let kb: Promise<KnowledgeBase> | null = null;
  // Writes run one after another; questions are embedded between their batches.
  let writeQueue: Promise<unknown> = Promise.resolve();

  const knowledgeBase = () => (kb ??= deps.openKnowledgeBase());
  const current = (): Loaded => {
    if (!loaded) throw new NotLoadedError();
    return loaded;
  };
  const queued = <T>(run: () => Promise<T>): Promise<T> => {
    const result = writeQueue.then(run, run);
    writeQueue = result.catch(() => {});
    return result;
  };

  return {
    async load({ model, backend, remoteHost, selfChecks = [], reload = false }, { progress }) {
      const key = JSON.stringify([model.id, backend, remoteHost ?? '']);
      if (loaded?.key === key && !reload) return loaded.result;
      // Switching models waits for running writes: they hold on to the current embedder.
      return queued(async () => {
        if (loaded?.key === key && !reload) return loaded.result;
        const previous = loaded;
        loaded = null;
        await previous?.embedder.dispose();
        loaded = await loadEmbedder(deps, key, model, backend, remoteHost, selfChecks, progress);
        return loaded.result;
      });
    },

    async 'embed-query'({ text }) {
      const { model, embedder } = current();
      const started = performance.now();
      const vector = await embedder.embed([model.queryPrefix + text]);
      return new Transfer({ vector, ms: performance.now() - started }, [vector.buffer]);
    },

    async 'embed-texts'({ texts }) {
      const { model, embedder } = current();
      const started = performance.now();
      const vectors = await embedByLength(
        texts.map((text) => model.passagePrefix + text),
        (batch) => embedder.embed(batch),
        { batchSize: SENTENCE_BATCH[embedder.backend] },
      );
      const result = {
        vectors,
        dimension: embedder.dimension,
        modelId: model.id,
        ms: performance.now() - started,
      };
      return new Transfer(result, [vectors.buffer]);
    },

    ingest({ files, chunking, maxBytes }, { progress, signal }) {
      return queued(async () => {
        const loadedModel = current();
        const store = await knowledgeBase();
        const counts = { added: 0, skipped: 0, failed: 0 };
        if (files.length === 0) return counts;
        // Every file is pending until stored, failed or skipped; one left over after a reload
        // is how the next start knows it was interrupted.
        await owner.ready;
        const first = nextSeq;
        nextSeq += files.length;
        await store.pending.add(
          files.map((f, i) => ({
            owner: owner.id,
            seq: first + i,
            name: f.name,
            size: f.data.size,
            startedAt: Date.now(),
            ...(f.replaces !== undefined && { replaces: f.replaces }),
          })),
        );
        try {
          for (let i = 0; i < files.length; i++) {
            if (signal.aborted) throw abortError();
            const seq = first + i;
            try {
              const stored = await ingestFile(
                files[i]!,
                i,
                loadedModel,
                store.documents,
                chunking,
                {
                  report: progress,
                  signal,
                  newId,
                  maxBytes,
                  pending: [owner.id, seq],
                },
              );
              if (stored) {
                counts.added++;
                progress({ file: i, stage: 'done', ...stored });
              } else {
                counts.skipped++;
                await store.pending.delete(owner.id, seq);
              }
            } catch (error) {
              if (signal.aborted) throw abortError();
              await store.pending.delete(owner.id, seq).catch(() => {});
              if (error instanceof AlreadyStoredError) {
                counts.skipped++;
                progress({ file: i, stage: 'skipped', reason: error.message });
                continue;
              }
              counts.failed++;
              progress({ file: i, stage: 'failed', error: serializeError(error) });
              if (error instanceof StorageFullError) {
                // The next files would fail the same way, after embedding for nothing.
                for (let j = i + 1; j < files.length; j++) {
                  counts.failed++;
                  progress({
                    file: j,
                    stage: 'failed',
                    error: {
                      name: 'StorageFullError',
                      message: `“${files[j]!.name}” was not added: the browser's storage is full.`,
                    },
                  });
                }
                break;
              }
            }
          }
        } finally {
          await store.pending.delete(owner.id, first, first + files.length - 1).catch(() => {});
        }
        return counts;
      });
    },

    reembed({ chunking }, { progress, signal }) {
      return queued(async () => {
        const loadedModel = current();
        const { embedder } = loadedModel;
        const store = await knowledgeBase();
        const documents = await store.documents.list();
        const replacements = [];
        let chunkTotal = 0;
        for (const [i, document] of documents.entries()) {
          progress({ done: i, total: documents.length, name: document.name });
          const text = await store.documents.getText(document.id);
          if (text === undefined) throw new Error(`The text of “${document.name}” is missing.`);
          const replacement = await embedStored(document, text, chunking, loadedModel, signal);
          chunkTotal += replacement.chunks.length;
          replacements.push(replacement);
        }
        if (signal.aborted) throw abortError();
        await store.documents.replaceEmbeddings(embedder.modelId, embedder.dimension, replacements);
        return { documents: documents.length, chunks: chunkTotal };
      });
    },

    'import-texts'({ documents, chunking, label }, { progress, signal }) {
      return queued(async () => {
        const loadedModel = current();
        const { embedder } = loadedModel;
        const store = await knowledgeBase();
        const items = [];
        const known: DocumentRecord[] = [];
        for (const [i, { document, text }] of documents.entries()) {
          progress({ done: i, total: documents.length, name: document.name });
          // Not embedded for nothing: Documents.addAll would skip it anyway.
          const existing = await store.documents.findByHash(document.contentHash);
          if (existing) {
            known.push(existing);
            continue;
          }
          const embedded = await embedStored(document, text, chunking, loadedModel, signal);
          items.push({ ...embedded, text, dimension: embedder.dimension });
        }
        if (signal.aborted) throw abortError();
        const { added, skipped } = await store.documents.addAll(items, label);
        return { added, skipped: [...known, ...skipped] };
      });
    },
  };
}

async function loadEmbedder(
  deps: EmbedHandlerDeps,
  key: string,
  model: EmbeddingModelSpec,
  backend: BackendPreference,
  remoteHost: string | undefined,
  selfChecks: SelfCheck[],
  onProgress: (progress: DownloadProgress) => void,
): Promise<Loaded> {
  const options = { model, ...(remoteHost ? { remoteHost } : {}), onProgress };
  const webgpuDevice = deps.webgpuDevice;
  const {
    loaded: embedder,
    fallbackReason,
    selfCheck,
    selfCheckError,
  } = await loadWithFallback(
    backend,
    () => deps.webgpuUnavailableReason(),
    (chosen) => deps.loadEmbedder({ ...options, backend: chosen }),
    webgpuDevice && {
      modelId: model.id,
      device: () => webgpuDevice(),
      remembered: selfChecks.filter((c) => c.modelId === model.id),
      embed: async (embedder) => ({
        vectors: await embedder.embed([...SELF_CHECK_SENTENCES]),
        dimension: embedder.dimension,
      }),
      dispose: (embedder) => embedder.dispose(),
    },
  );
  const result: LoadResult = {
    modelId: embedder.modelId,
    backend: embedder.backend,
    dimension: embedder.dimension,
    maxTokens: embedder.maxTokens,
    ...(fallbackReason ? { fallbackReason } : {}),
    ...(selfCheck ? { selfCheck } : {}),
    ...(selfCheckError ? { selfCheckError } : {}),
  };
  return { key, model, embedder, result };
}

/**
 * A document's text chunked and embedded again (re-embedding, or importing a file of another
 * model): its record keeps everything but the model, chunk count and chunking it now has.
 */
async function embedStored(
  document: DocumentRecord,
  text: string,
  chunking: ChunkingOptions,
  loadedModel: LoadedModel,
  signal: AbortSignal,
): Promise<{ document: DocumentRecord; chunks: ChunkRecord[]; vectors: Float32Array }> {
  const { chunks, vectors } = await chunkAndEmbed(
    text,
    document.format,
    document.pageStarts,
    document.id,
    chunking,
    loadedModel,
    signal,
  );
  return {
    document: {
      ...document,
      modelId: loadedModel.embedder.modelId,
      chunkCount: chunks.length,
      chunking: { ...chunking },
    },
    chunks,
    vectors,
  };
}

/**
 * Splits a document into chunks and embeds them in batches of chunks of similar length (a batch
 * is padded to its longest chunk, so a short chunk beside a long one costs as much as a long
 * one); the vectors come back in chunk order. Checks `signal` between batches. A PDF's chunks
 * never span two pages and each records its page.
 */
export async function chunkAndEmbed(
  text: string,
  format: DocumentFormat,
  pageStarts: number[] | undefined,
  docId: string,
  chunking: ChunkingOptions,
  { embedder, model }: LoadedModel,
  signal: AbortSignal,
  onBatch?: (done: number, total: number) => void,
): Promise<{ chunks: ChunkRecord[]; vectors: Float32Array }> {
  const countTokens = withCharacterFloor(embedder.countTokens);
  const chunks: ChunkRecord[] = chunkDocument(text, format, chunking, countTokens, pageStarts).map(
    (c) => ({
      docId,
      ordinal: c.ordinal,
      start: c.start,
      end: c.end,
      text: c.text,
      headingPath: c.headingPath,
      tokens: c.tokens,
      ...(pageStarts && { page: pageAt(pageStarts, c.start) }),
    }),
  );
  const texts = chunks.map((c) => passageEmbeddingText(c, model.passagePrefix));
  const batchSize = EMBED_BATCH[embedder.backend];
  const vectors = await embedByLength(texts, (batch) => embedder.embed(batch), {
    batchSize,
    onBatch: (done, total) => {
      if (signal.aborted) throw abortError();
      // Progress every 16 chunks, whatever the batch: a message per chunk would only add work.
      if (done < total && done % PROGRESS_EVERY < batchSize) onBatch?.(done, total);
    },
  });
  return { chunks, vectors };
}

async function ingestFile(
  file: IngestFile,
  index: number,
  loadedModel: LoadedModel,
  documents: Documents,
  chunking: ChunkingOptions,
  {
    report,
    signal,
    newId,
    maxBytes,
    pending,
  }: {
    report: (p: FileProgress) => void;
    signal: AbortSignal;
    newId: () => string;
    maxBytes?: number;
    pending: PendingKey;
  },
): Promise<{ document: DocumentRecord; replaced?: string } | null> {
  report({ file: index, stage: 'read', done: 0, total: file.data.size });
  const read = await readDocument(file.data, file.name, { maxBytes });
  const existing = await documents.findByHash(read.contentHash);
  if (existing && existing.id !== file.replaces) {
    report({
      file: index,
      stage: 'skipped',
      reason: `“${file.name}” is already in the knowledge base as “${existing.name}”.`,
    });
    return null;
  }

  report({ file: index, stage: 'chunk', done: 0, total: read.text.length });
  const id = newId();
  const { chunks, vectors } = await chunkAndEmbed(
    read.text,
    read.format,
    read.pageStarts,
    id,
    chunking,
    loadedModel,
    signal,
    (done, total) => report({ file: index, stage: 'embed', done, total }),
  );

  report({ file: index, stage: 'store', done: 0, total: chunks.length });
  const document: DocumentRecord = {
    id,
    name: file.name,
    size: file.data.size,
    format: read.format,
    addedAt: Date.now(),
    chunkCount: chunks.length,
    charCount: read.text.length,
    contentHash: read.contentHash,
    modelId: loadedModel.embedder.modelId,
    chunking: { ...chunking },
    warnings: read.warnings,
    ...(read.pageStarts && { pageStarts: read.pageStarts }),
    ...(read.language && { language: read.language }),
  };
  await documents.add(
    { document, text: read.text, chunks, vectors, dimension: loadedModel.embedder.dimension },
    { pending, ...(file.replaces !== undefined && { replaces: file.replaces }) },
  );
  return { document, ...(file.replaces !== undefined && { replaced: file.replaces }) };
}
