import { describe, expect, test } from 'vitest';
import type { DocumentRecord } from '../core/kb/documents';
import { sha256Hex } from '../ingest/read-document';
import type { EmbedMethods, FileProgress, IngestRequest } from '../workers/embed/protocol';
import { RpcClient, serve, type Handlers } from '../workers/rpc';
import { ALERTS_PER_BATCH, Ingest, type IngestCallbacks } from './ingest.svelte';

const storedDoc = (name: string, contentHash: string): DocumentRecord => ({
  id: `stored-${name}`,
  name,
  size: 10,
  format: 'plain',
  addedAt: 0,
  chunkCount: 1,
  charCount: 10,
  contentHash,
  modelId: 'test/model',
  chunking: { targetTokens: 64, overlapTokens: 0 },
  warnings: [],
});

/** An embedding worker that answers each file as `outcome` says, and records the requests. */
function fakeWorker(
  outcome: (name: string, index: number) => FileProgress['stage'] = () => 'done',
) {
  const requests: IngestRequest[] = [];
  const handlers = {
    async ingest(request, { progress }) {
      requests.push(request);
      const counts = { added: 0, skipped: 0, failed: 0 };
      request.files.forEach((f, file) => {
        const stage = outcome(f.name, file);
        if (stage === 'done') {
          counts.added++;
          progress({
            file,
            stage: 'done',
            document: { ...storedDoc(f.name, f.name), id: `new-${f.name}` },
            ...(f.replaces !== undefined && { replaced: f.replaces }),
          });
        } else if (stage === 'failed') {
          counts.failed++;
          const name = f.name.startsWith('full') ? 'StorageFullError' : 'CorruptDocumentError';
          progress({ file, stage: 'failed', error: { name, message: `“${f.name}” is broken.` } });
        } else {
          counts.skipped++;
          progress({ file, stage: 'skipped', reason: `“${f.name}” is already in.` });
        }
      });
      return counts;
    },
  } as Handlers<EmbedMethods>;
  const channel = new MessageChannel();
  serve<EmbedMethods>(channel.port2, handlers);
  return { client: new RpcClient<EmbedMethods>(channel.port1), requests, channel };
}

function callbacks(stored: Record<string, DocumentRecord> = {}) {
  const log = {
    alerts: [] as string[],
    storageFull: [] as string[],
    stored: [] as [string, string | undefined][],
  };
  const cb: IngestCallbacks = {
    prepare: async () => {},
    chunking: () => ({ targetTokens: 64, overlapTokens: 0 }),
    maxBytes: () => 1000,
    named: (name) => stored[name],
    stored: async (document, replaced) => void log.stored.push([document.name, replaced]),
    failed: (message) => void log.alerts.push(message),
    storageFull: (fileName) => void log.storageFull.push(fileName),
  };
  return { cb, log };
}

const file = (name: string, text = name) => new File([text], name);

describe('Ingest', () => {
  test('a file named like a stored document, with other content, waits for a choice', async () => {
    const worker = fakeWorker();
    const { cb, log } = callbacks({ 'notes.txt': storedDoc('notes.txt', 'another hash') });
    const ingest = new Ingest(worker.client, cb);
    await ingest.add([file('a.txt'), file('notes.txt', 'the heater is serviced in February')]);
    expect(worker.requests.map((r) => r.files.map((f) => f.name))).toEqual([['a.txt']]);
    const [waiting] = ingest.attention;
    expect(waiting).toMatchObject({ name: 'notes.txt', stage: 'conflict' });
    expect(waiting!.conflict?.id).toBe('stored-notes.txt');
    expect(ingest.running).toBe(true);

    await ingest.resolve(waiting!, 'replace');
    expect(worker.requests[1]!.files).toMatchObject([
      { name: 'notes.txt', replaces: 'stored-notes.txt' },
    ]);
    expect(worker.requests[1]!.maxBytes).toBe(1000);
    expect(log.stored).toEqual([
      ['a.txt', undefined],
      ['notes.txt', 'stored-notes.txt'],
    ]);
    expect(waiting!.stage).toBe('done');
    expect(waiting!.message).toBe('Replaced the earlier version.');
    expect(ingest.running).toBe(false);
    worker.channel.port1.close();
  });

  test('Keep both adds it beside the stored one; Skip adds nothing', async () => {
    const worker = fakeWorker();
    const { cb } = callbacks({
      'a.txt': storedDoc('a.txt', 'old a'),
      'b.txt': storedDoc('b.txt', 'old b'),
    });
    const ingest = new Ingest(worker.client, cb);
    await ingest.add([file('a.txt'), file('b.txt')]);
    const [a, b] = ingest.attention;
    await ingest.resolve(a!, 'keep');
    await ingest.resolve(b!, 'skip');
    expect(worker.requests.map((r) => r.files.map((f) => f.name))).toEqual([['a.txt']]);
    expect(worker.requests[0]!.files[0]).not.toHaveProperty('replaces');
    expect(b!.stage).toBe('skipped');
    expect(b!.message).toBe('Skipped: the stored “b.txt” stays as it is.');
    expect(ingest.counts).toMatchObject({ done: 1, skipped: 1, conflict: 0 });
    worker.channel.port1.close();
  });

  test('the same content under the same name goes on, for the worker to recognise', async () => {
    const worker = fakeWorker(() => 'skipped');
    const text = 'unchanged notes';
    const bytes = new TextEncoder().encode(text);
    const { cb } = callbacks({ 'notes.txt': storedDoc('notes.txt', await sha256Hex(bytes)) });
    const ingest = new Ingest(worker.client, cb);
    await ingest.add([file('notes.txt', text)]);
    expect(worker.requests[0]!.files[0]).not.toHaveProperty('replaces');
    expect(ingest.jobs[0]!.stage).toBe('skipped');
    worker.channel.port1.close();
  });

  test('Replace all sends every waiting file in one batch', async () => {
    const worker = fakeWorker();
    const names = ['a.txt', 'b.txt', 'c.txt'];
    const { cb, log } = callbacks(Object.fromEntries(names.map((n) => [n, storedDoc(n, 'old')])));
    const ingest = new Ingest(worker.client, cb);
    await ingest.add(names.map((n) => file(n)));
    expect(ingest.counts.conflict).toBe(3);
    await ingest.resolveAll('replace');
    expect(worker.requests).toHaveLength(1);
    expect(worker.requests[0]!.files.map((f) => f.replaces)).toEqual(
      names.map((n) => `stored-${n}`),
    );
    expect(log.stored.map(([, replaced]) => replaced)).toEqual(names.map((n) => `stored-${n}`));
    worker.channel.port1.close();
  });

  test('Cancel drops files still waiting for a choice', async () => {
    const worker = fakeWorker();
    const { cb } = callbacks({ 'a.txt': storedDoc('a.txt', 'old') });
    const ingest = new Ingest(worker.client, cb);
    await ingest.add([file('a.txt')]);
    ingest.cancel();
    expect(ingest.jobs[0]).toMatchObject({ stage: 'cancelled', message: 'Cancelled: not added.' });
    expect(ingest.running).toBe(false);
    worker.channel.port1.close();
  });

  test('a batch alerts its first failures one by one and sums up the rest', async () => {
    const worker = fakeWorker((name) => (name.startsWith('bad') ? 'failed' : 'done'));
    const { cb, log } = callbacks();
    const ingest = new Ingest(worker.client, cb);
    const files = [
      ...Array.from({ length: 8 }, (_, i) => file(`bad-${i}.pdf`)),
      ...Array.from({ length: 3 }, (_, i) => file(`good-${i}.txt`)),
    ];
    await ingest.add(files);
    expect(log.alerts).toEqual([
      ...Array.from({ length: ALERTS_PER_BATCH }, (_, i) => `“bad-${i}.pdf” is broken.`),
      '3 more files could not be added; the list under Adding says why for each.',
    ]);
    expect(ingest.counts).toMatchObject({ done: 3, failed: 8, queued: 0 });
    expect(ingest.attention.map((j) => j.name)).toEqual(files.slice(0, 8).map((f) => f.name));
    worker.channel.port1.close();
  });

  test('a full disk is one alert for the batch', async () => {
    const worker = fakeWorker((name) => (name.startsWith('full') ? 'failed' : 'done'));
    const { cb, log } = callbacks();
    const ingest = new Ingest(worker.client, cb);
    await ingest.add([file('ok.txt'), file('full-1.txt'), file('full-2.txt')]);
    expect(log.storageFull).toEqual(['full-1.txt']);
    expect(log.alerts).toEqual([]);
    worker.channel.port1.close();
  });

  test('thousands of files are one request, counted as they finish', async () => {
    const worker = fakeWorker();
    const { cb } = callbacks();
    const ingest = new Ingest(worker.client, cb);
    await ingest.add(Array.from({ length: 3000 }, (_, i) => file(`note-${i}.txt`)));
    expect(worker.requests).toHaveLength(1);
    expect(ingest.counts).toMatchObject({ done: 3000, queued: 0 });
    expect(ingest.attention).toEqual([]);
    ingest.clearFinished();
    expect(ingest.jobs).toEqual([]);
    expect(ingest.counts.done).toBe(0);
    worker.channel.port1.close();
  });

  test('replace: an edited version goes straight in, replacing; a failure is left to the editor', async () => {
    const worker = fakeWorker((name) => (name.startsWith('bad') ? 'failed' : 'done'));
    // Stored under the same name: no Replace, Keep both or Skip to ask.
    const { cb, log } = callbacks({ 'notes.txt': storedDoc('notes.txt', 'old') });
    const ingest = new Ingest(worker.client, cb);
    const job = await ingest.replace(file('notes.txt', 'edited'), 'stored-notes.txt');
    expect(worker.requests[0]!.files).toMatchObject([
      { name: 'notes.txt', replaces: 'stored-notes.txt' },
    ]);
    expect(job).toMatchObject({ stage: 'done', message: 'Replaced the earlier version.' });
    expect(job.document?.id).toBe('new-notes.txt');
    expect(log.stored).toEqual([['notes.txt', 'stored-notes.txt']]);
    expect(ingest.jobs).toEqual([job]);

    const failed = await ingest.replace(file('bad.txt'), 'stored-bad.txt');
    expect(failed).toMatchObject({ stage: 'failed', message: '“bad.txt” is broken.' });
    expect(failed.document).toBeNull();
    expect(log.alerts).toEqual([]);
    worker.channel.port1.close();
  });
});
