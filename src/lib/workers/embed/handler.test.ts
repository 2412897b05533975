import 'fake-indexeddb/auto';
import { env } from '@huggingface/transformers';
import { IDBFactory } from 'fake-indexeddb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { norm } from '../../core/retrieval/top-k';
import { embeddingModelSpec } from '../../core/models/embedding-catalogue';
import type { EmbeddingBackend } from '../../core/models/embedding-backend';
import { loadTransformersEmbedder } from '../../engines/embedding/transformers-embedder';
import { KnowledgeBase } from '../../storage/knowledge-base';
import { makeTinyEmbedder } from '../../../../scripts/make-tiny-embedder.mjs';
import { makePdf } from '../../../../test/make-files';
import { startMirror } from '../../../../scripts/serve-mirror.mjs';
import { createEmbedHandlers } from './handler';
import type { FileProgress } from './protocol';
import { RpcClient, serve } from '../rpc';
import type { EmbedMethods } from './protocol';
import { createSearchHandlers } from '../search/handler';
import type { SearchMethods } from '../search/protocol';

const modelsDir = fileURLToPath(new URL('../../../../test/fixtures/models/', import.meta.url));
const MODEL = embeddingModelSpec('grounded-test/tiny-embedder');

let mirror: { url: string; requests: string[]; close(): Promise<void> };

beforeAll(async () => {
  await makeTinyEmbedder(`${modelsDir}grounded-test/tiny-embedder`);
  mirror = await startMirror({ dir: modelsDir });
  // Node needs a file cache to hand model paths to onnxruntime-node; keep it out of node_modules.
  env.cacheDir = mkdtempSync(join(tmpdir(), 'grounded-models-'));
});

afterAll(async () => {
  await mirror?.close();
});

/** The embedding and search workers' handlers, connected over real MessageChannels. */
function workers(dbName: string) {
  const openKnowledgeBase = () => KnowledgeBase.open(dbName);
  const loads: EmbeddingBackend[] = [];
  const embedChannel = new MessageChannel();
  serve<EmbedMethods>(
    embedChannel.port2,
    createEmbedHandlers({
      openKnowledgeBase,
      // onnxruntime-node stands in for the browser's WASM backend here.
      loadEmbedder: (options) => {
        loads.push(options.backend);
        return loadTransformersEmbedder({ ...options, backend: 'cpu' });
      },
      webgpuUnavailableReason: async () => 'no WebGPU in Node',
    }),
  );
  const searchChannel = new MessageChannel();
  serve<SearchMethods>(searchChannel.port2, createSearchHandlers({ openKnowledgeBase }));
  const embed = new RpcClient<EmbedMethods>(embedChannel.port1);
  const search = new RpcClient<SearchMethods>(searchChannel.port1);
  return {
    embed,
    search,
    loads,
    openKnowledgeBase,
    close() {
      embed.dispose();
      search.dispose();
      embedChannel.port1.close();
      searchChannel.port1.close();
    },
  };
}

const HANDBOOK = `# Handbook

## Leave

Employees receive 31 days of paid leave each year.

## Equipment

Every engineer gets a walnut standing desk and a green lamp. Laptops are replaced every four
years, or sooner when a repair would cost more than half the price of a new one. Monitors, keyboards
and chairs are ordered through the facilities desk on the second floor, which also lends out
projectors, cameras and the small soldering kit kept in cupboard B.
`;
const NOTES =
  'The greenhouse heater is serviced every October by Marta.\n\nKeys hang in the blue box.';
const file = (name: string, text: string) => ({ name, data: new Blob([text]) });

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('embedding worker handlers (real transformers.js, tiny model, fake IndexedDB)', () => {
  test('load reports the model, its dimension and why WebGPU was not used', async () => {
    const w = workers('load');
    const progress: { loaded: number; total: number }[] = [];
    const result = await w.embed.call(
      'load',
      { model: MODEL, backend: 'auto', remoteHost: mirror.url },
      { onProgress: (p) => progress.push(p) },
    );
    expect(result).toMatchObject({
      modelId: 'grounded-test/tiny-embedder',
      dimension: 384,
      fallbackReason: 'no WebGPU in Node',
    });
    expect(w.loads).toEqual(['wasm']);
    expect(progress.at(-1)?.loaded).toBeGreaterThan(1_000_000);
    expect(mirror.requests).toContain(
      '/grounded-test/tiny-embedder/resolve/main/onnx/model_quantized.onnx',
    );
    // Loading the same model again is free.
    await w.embed.call('load', { model: MODEL, backend: 'auto', remoteHost: mirror.url });
    expect(w.loads).toEqual(['wasm']);
    w.close();
  });

  test('a model that is not on the mirror fails with its name and where it was looked for', async () => {
    const w = workers('missing');
    const error = await w.embed
      .call('load', {
        model: embeddingModelSpec('nobody/no-such-model'),
        backend: 'wasm',
        remoteHost: mirror.url,
      })
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'EmbeddingModelLoadError' });
    expect((error as Error).message).toContain('nobody/no-such-model');
    expect((error as Error).message).toContain(mirror.url);
    w.close();
  });

  test('ingests files through read, chunk, embed and store, then search finds them', async () => {
    const w = workers('ingest');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    const events: FileProgress[] = [];
    const result = await w.embed.call(
      'ingest',
      {
        files: [
          file('handbook.md', HANDBOOK),
          file('notes.txt', NOTES),
          file('slides.pptx', 'x'),
          file('copy.md', HANDBOOK),
        ],
        chunking: { targetTokens: 32, overlapTokens: 8 },
      },
      { onProgress: (p) => events.push(p) },
    );
    expect(result).toEqual({ added: 2, skipped: 1, failed: 1 });
    const stages = (i: number) => events.filter((e) => e.file === i).map((e) => e.stage);
    expect(stages(0)).toEqual(['read', 'chunk', 'embed', 'store', 'done']);
    expect(stages(2)).toEqual(['read', 'failed']);
    expect(events.find((e) => e.file === 2 && e.stage === 'failed')).toMatchObject({
      error: { name: 'UnsupportedFormatError' },
    });
    expect(stages(3)).toEqual(['read', 'skipped']);
    expect(events.find((e) => e.file === 3 && e.stage === 'skipped')).toEqual({
      file: 3,
      stage: 'skipped',
      reason: '“copy.md” is already in the knowledge base as “handbook.md”.',
    });

    const kb = await w.openKnowledgeBase();
    const docs = await kb.documents.list();
    expect(docs.map((d) => d.name).sort()).toEqual(['handbook.md', 'notes.txt']);
    const handbook = docs.find((d) => d.name === 'handbook.md')!;
    const text = (await kb.documents.getText(handbook.id))!;
    const chunks = await kb.documents.chunksOf(handbook.id);
    expect(chunks.length).toBe(handbook.chunkCount);
    for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.text);
    const rows = (await kb.vectors.blocksOf(handbook.id)).reduce((n, b) => n + b.count, 0);
    expect(rows).toBe(chunks.length);

    expect(await w.search.call('open', {})).toMatchObject({ documents: 2, dimension: 384 });
    const { vector } = await w.embed.call('embed-query', { text: 'How many days of paid leave?' });
    expect(norm(vector)).toBeCloseTo(1, 5);
    const { passages } = await w.search.call('search', { vector, k: 3 });
    expect(passages[0]).toMatchObject({
      rank: 1,
      docName: 'handbook.md',
      headingPath: ['Handbook', 'Leave'],
    });
    expect(passages[0]!.text).toContain('31 days of paid leave');
    expect(passages.map((p) => p.score)).toEqual(
      [...passages.map((p) => p.score)].sort((a, b) => b - a),
    );
    w.close();
  });

  test('embed-texts gives every text its vector, in the order given, batched', async () => {
    const w = workers('texts');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    // Lengths out of order, more than one batch: the batches are sorted by length.
    const texts = Array.from({ length: 11 }, (_, i) =>
      i % 2 ? `The heater is serviced every ${i} months by the caretaker.` : `Leave ${i}.`,
    );
    const { vectors, dimension, modelId } = await w.embed.call('embed-texts', { texts });
    expect({ rows: vectors.length / dimension, modelId }).toEqual({ rows: 11, modelId: MODEL.id });
    for (const [i, text] of texts.entries()) {
      const { vector } = await w.embed.call('embed-query', { text });
      const row = vectors.subarray(i * dimension, (i + 1) * dimension);
      let dot = 0;
      for (let k = 0; k < dimension; k++) dot += row[k]! * vector[k]!;
      // The same text's vector, up to the batch's int8 quantization.
      expect(dot).toBeGreaterThan(0.98);
    }
    expect((await w.embed.call('embed-texts', { texts: [] })).vectors).toHaveLength(0);
    w.close();
  });

  test('search follows added and removed documents', async () => {
    const w = workers('follow');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    expect(await w.search.call('open', {})).toMatchObject({
      documents: 0,
      vectors: 0,
      dimension: null,
    });
    const added: string[] = [];
    await w.embed.call(
      'ingest',
      { files: [file('notes.txt', NOTES)], chunking: { targetTokens: 64, overlapTokens: 8 } },
      { onProgress: (p) => p.stage === 'done' && added.push(p.document.id) },
    );
    expect(await w.search.call('add', { docId: added[0]! })).toEqual({ vectors: 1 });
    const { vector } = await w.embed.call('embed-query', { text: 'greenhouse heater' });
    expect((await w.search.call('search', { vector, k: 5 })).passages).toHaveLength(1);
    const kb = await w.openKnowledgeBase();
    await kb.documents.delete(added[0]!);
    expect(await w.search.call('remove', { docId: added[0]! })).toEqual({ vectors: 1 });
    expect((await w.search.call('search', { vector, k: 5 })).passages).toEqual([]);
    w.close();
  });

  test('cancelling stores nothing of the document in progress and keeps finished ones', async () => {
    const w = workers('cancel');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    const long = Array.from(
      { length: 400 },
      (_, i) => `Paragraph ${i} about orchards and bees.`,
    ).join('\n\n');
    const controller = new AbortController();
    const call = w.embed.call(
      'ingest',
      {
        files: [file('notes.txt', NOTES), file('long.txt', long)],
        chunking: { targetTokens: 16, overlapTokens: 0 },
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file === 1 && p.stage === 'embed' && p.done > 0) controller.abort();
        },
      },
    );
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    // Writes are queued: this empty ingest finishes only after the cancelled one has stopped.
    await w.embed.call('ingest', { files: [], chunking: { targetTokens: 16, overlapTokens: 0 } });
    const kb = await w.openKnowledgeBase();
    const docs = await kb.documents.list();
    expect(docs.map((d) => d.name)).toEqual(['notes.txt']);
    expect(new Set((await kb.vectors.allBlocks()).map((b) => b.docId))).toEqual(
      new Set([docs[0]!.id]),
    );
    expect((await kb.db.getAll('chunks')).every((c) => c.docId === docs[0]!.id)).toBe(true);
    expect(await kb.db.count('texts')).toBe(1);
    w.close();
  });

  test('re-embedding replaces every chunk and vector with the loaded model’s', async () => {
    const w = workers('reembed');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    await w.embed.call('ingest', {
      files: [file('handbook.md', HANDBOOK)],
      chunking: { targetTokens: 200, overlapTokens: 0 },
    });
    const kb = await w.openKnowledgeBase();
    const [before] = await kb.documents.list();
    const progress: string[] = [];
    const result = await w.embed.call(
      'reembed',
      { chunking: { targetTokens: 16, overlapTokens: 4 } },
      { onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.name}`) },
    );
    const [after] = await kb.documents.list();
    expect(progress).toEqual(['0/1 handbook.md']);
    expect(after!.chunkCount).toBeGreaterThan(before!.chunkCount);
    expect(result).toEqual({ documents: 1, chunks: after!.chunkCount });
    expect(after!.chunking).toEqual({ targetTokens: 16, overlapTokens: 4 });
    expect(await kb.documents.chunksOf(after!.id)).toHaveLength(after!.chunkCount);
    w.close();
  });

  test('import-texts embeds documents of another model and stores them all, skipping known ones', async () => {
    const w = workers('import-texts');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    await w.embed.call('ingest', {
      files: [file('notes.txt', NOTES)],
      chunking: { targetTokens: 64, overlapTokens: 0 },
    });
    const kb = await w.openKnowledgeBase();
    const [notes] = await kb.documents.list();
    const handbook = {
      ...notes!,
      id: 'from-file',
      name: 'handbook.md',
      format: 'markdown' as const,
      contentHash: 'f'.repeat(64),
      modelId: 'other/model',
      charCount: HANDBOOK.length,
      chunkCount: 99,
    };
    const request = {
      documents: [
        { document: handbook, text: HANDBOOK },
        { document: { ...notes!, id: 'copy', modelId: 'other/model' }, text: NOTES },
      ],
      chunking: { targetTokens: 32, overlapTokens: 0 },
      label: 'workshop.grounded',
    };
    const progress: string[] = [];
    const result = await w.embed.call('import-texts', request, {
      onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.name}`),
    });
    expect(progress).toEqual(['0/2 handbook.md', '1/2 notes.txt']);
    expect(result.added.map((d) => d.id)).toEqual(['from-file']);
    expect(result.skipped.map((d) => d.id)).toEqual([notes!.id]);
    const stored = await kb.documents.get('from-file');
    expect(stored).toMatchObject({ modelId: MODEL.id, name: 'handbook.md' });
    expect(stored!.chunking).toEqual({ targetTokens: 32, overlapTokens: 0 });
    const chunks = await kb.documents.chunksOf('from-file');
    expect(chunks).toHaveLength(stored!.chunkCount);
    expect(chunks.map((c) => c.text).join(' ')).toContain('31 days of paid leave');
    expect((await kb.documents.meta())!.dimension * chunks.length).toBe(
      (await kb.vectors.ofDocument('from-file', (await kb.documents.meta())!.dimension)).length,
    );
    // Again: nothing is embedded or added.
    const again = await w.embed.call('import-texts', request);
    expect(again.added).toEqual([]);
    expect(again.skipped.map((d) => d.id).sort()).toEqual(['from-file', notes!.id].sort());
    w.close();
  });

  test('a PDF’s chunks keep their page through ingest and re-embedding', async () => {
    const w = workers('pdf-pages');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    const pages = [
      [
        'The orchard opens at dawn.',
        'Ladders are inspected every spring by the safety officer.',
        'Gloves are handed out at the gate.',
      ],
      ['Parental leave is 30 weeks.'],
      [],
      ['Russet apples are picked in October.'],
    ];
    const pdf = makePdf({ pages, imagePages: [3] });
    const result = await w.embed.call('ingest', {
      files: [{ name: 'orchard.pdf', data: new Blob([pdf]) }],
      chunking: { targetTokens: 200, overlapTokens: 20 },
    });
    expect(result).toEqual({ added: 1, skipped: 0, failed: 0 });
    const kb = await w.openKnowledgeBase();
    const [doc] = await kb.documents.list();
    expect(doc).toMatchObject({ name: 'orchard.pdf', format: 'pdf', chunkCount: 3 });
    expect(doc!.pageStarts).toHaveLength(4);
    expect(doc!.warnings).toEqual([
      'Page 3 has no text (scanned images?) and is not searchable. Run the PDF through OCR to search it.',
    ]);
    const chunkPages = async () =>
      (await kb.documents.chunksOf(doc!.id)).map((c) => [c.page, c.text]);
    // Small pages are never packed together: each chunk is on one page.
    expect(await chunkPages()).toEqual([
      [1, pages[0]!.join('\n')],
      [2, 'Parental leave is 30 weeks.'],
      [4, 'Russet apples are picked in October.'],
    ]);
    await w.embed.call('reembed', { chunking: { targetTokens: 16, overlapTokens: 4 } });
    const after = await chunkPages();
    expect(after.length).toBeGreaterThan(3);
    for (const [page, text] of after) {
      expect(pages[Number(page) - 1]!.join('\n')).toContain(text);
    }
    w.close();
  });

  test('files over the size limit fail by name; the others are added', async () => {
    const w = workers('max-bytes');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    const events: FileProgress[] = [];
    const result = await w.embed.call(
      'ingest',
      {
        files: [file('big.txt', 'x '.repeat(600)), file('notes.txt', NOTES)],
        chunking: { targetTokens: 64, overlapTokens: 0 },
        maxBytes: 1000,
      },
      { onProgress: (p) => events.push(p) },
    );
    expect(result).toEqual({ added: 1, skipped: 0, failed: 1 });
    expect(events.find((e) => e.stage === 'failed')).toEqual({
      file: 0,
      stage: 'failed',
      error: {
        name: 'FileTooLargeError',
        message:
          '“big.txt” is 1.2 KB, more than the 1.0 KB a document may be. Split it into smaller files and add those.',
      },
    });
    w.close();
  });

  test('each file is pending while it is being added, and nothing is once the batch ends', async () => {
    const w = workers('pending');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    const kb = await w.openKnowledgeBase();
    const seen: Promise<string[]>[] = [];
    await w.embed.call(
      'ingest',
      {
        files: [file('notes.txt', NOTES), file('empty.txt', ''), file('handbook.md', HANDBOOK)],
        chunking: { targetTokens: 64, overlapTokens: 0 },
      },
      {
        onProgress: (p) => {
          if (p.stage === 'embed' && p.file === 0) {
            seen.push(kb.db.getAll('pending').then((r) => r.map((x) => x.name)));
          }
        },
      },
    );
    // While the first file was embedded, every file of the batch was pending.
    expect(await seen[0]).toEqual(['notes.txt', 'empty.txt', 'handbook.md']);
    expect(await kb.pending.owners()).toEqual([]);
    w.close();
  });

  test('a new version replaces the stored one in one step, and search follows', async () => {
    const w = workers('replace');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    const chunking = { targetTokens: 64, overlapTokens: 0 };
    const done: FileProgress[] = [];
    const onProgress = (p: FileProgress) => p.stage === 'done' && done.push(p);
    await w.embed.call('ingest', { files: [file('notes.txt', NOTES)], chunking }, { onProgress });
    await w.search.call('open', {});
    const oldId = done[0]!.stage === 'done' ? done[0]!.document.id : '';
    const edited = NOTES.replace('October', 'February');
    const result = await w.embed.call(
      'ingest',
      { files: [{ ...file('notes.txt', edited), replaces: oldId }], chunking },
      { onProgress },
    );
    expect(result).toEqual({ added: 1, skipped: 0, failed: 0 });
    const replaced = done[1]!;
    expect(replaced).toMatchObject({ stage: 'done', replaced: oldId });
    const newId = replaced.stage === 'done' ? replaced.document.id : '';
    const kb = await w.openKnowledgeBase();
    expect((await kb.documents.list()).map((d) => d.id)).toEqual([newId]);
    expect(await kb.documents.chunksOf(oldId)).toEqual([]);
    expect(await kb.vectors.blocksOf(oldId)).toEqual([]);

    await w.search.call('remove', { docId: oldId });
    await w.search.call('add', { docId: newId });
    const { vector } = await w.embed.call('embed-query', { text: 'When is the heater serviced?' });
    const { passages } = await w.search.call('search', {
      vector,
      text: 'heater serviced',
      k: 5,
    });
    expect(passages.map((p) => p.text).join('\n')).toContain('every February');
    expect(passages.map((p) => p.text).join('\n')).not.toContain('October');
    w.close();
  });

  test('a full disk fails the file by name and stops the batch; nothing of it is kept', async () => {
    const w = workers('full');
    await w.embed.call('load', { model: MODEL, backend: 'wasm', remoteHost: mirror.url });
    const chunking = { targetTokens: 64, overlapTokens: 0 };
    await w.embed.call('ingest', { files: [file('notes.txt', NOTES)], chunking });
    const store = IDBObjectStore.prototype;
    const put = store.put;
    store.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'vectors') {
        this.transaction.abort();
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
    const events: FileProgress[] = [];
    try {
      const result = await w.embed.call(
        'ingest',
        { files: [file('handbook.md', HANDBOOK), file('more.txt', 'More notes.')], chunking },
        { onProgress: (p) => events.push(p) },
      );
      expect(result).toEqual({ added: 0, skipped: 0, failed: 2 });
    } finally {
      store.put = put;
    }
    const failures = events.filter((e) => e.stage === 'failed');
    expect(failures).toMatchObject([
      { file: 0, error: { name: 'StorageFullError' } },
      {
        file: 1,
        error: {
          name: 'StorageFullError',
          message: "“more.txt” was not added: the browser's storage is full.",
        },
      },
    ]);
    // The second file was never read: the batch stopped at the first.
    expect(events.filter((e) => e.file === 1).map((e) => e.stage)).toEqual(['failed']);
    const kb = await w.openKnowledgeBase();
    expect((await kb.documents.list()).map((d) => d.name)).toEqual(['notes.txt']);
    expect(await kb.db.count('texts')).toBe(1);
    expect(await kb.pending.owners()).toEqual([]);
    w.close();
  });

  test('questions need a loaded model', async () => {
    const w = workers('unloaded');
    await expect(w.embed.call('embed-query', { text: 'hi' })).rejects.toMatchObject({
      name: 'NotLoadedError',
    });
    w.close();
  });
});
