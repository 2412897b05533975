/**
 * The ingest-throughput benchmark page. `window.bench('embed', variant)` runs one embedding
 * variant in a fresh worker (worker.ts); `window.bench('app', …)` adds the sample documents
 * through the app's own embedding worker (src/lib/workers/embed.worker.ts): read, chunk, embed
 * and store in IndexedDB, as the Documents panel does.
 */
import { DEFAULT_CHUNKING } from '../../src/lib/core/text/chunking';
import { embeddingModelSpec } from '../../src/lib/core/models/embedding-catalogue';
import type { EmbedMethods, FileProgress } from '../../src/lib/workers/embed/protocol';
import { RpcClient } from '../../src/lib/workers/rpc';
import type { BenchMethods, EmbedRun } from './worker';

export interface AppRun {
  /** From the ingest request until every file is stored; the model was loaded before. */
  ms: number;
  chunks: number;
  added: number;
}

type Request = BenchMethods['embed']['request'];

/** Runs `call` on a fresh worker, which is terminated after; a crash rejects. */
async function inWorker<T>(worker: Worker, call: () => Promise<T>): Promise<T> {
  const crashed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (event) => reject(new Error(event.message))),
  );
  try {
    return await Promise.race([call(), crashed]);
  } finally {
    worker.terminate();
  }
}

async function embed(request: Request): Promise<Omit<EmbedRun, 'vectors'> & { vectors: number[] }> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const client = new RpcClient<BenchMethods>(worker);
  const run = await inWorker(worker, () => client.call('embed', request));
  client.dispose();
  // Plain numbers: what Playwright hands back to Node.
  return { ...run, vectors: Array.from(run.vectors) };
}

async function app({
  model,
  mirror,
  files,
}: {
  model: string;
  mirror: string;
  files: string[];
}): Promise<AppRun> {
  const data = await Promise.all(
    files.map(async (name) => ({ name, data: await (await fetch(`/samples/${name}`)).blob() })),
  );
  const worker = new Worker(
    new URL('../../src/lib/workers/embed/embed.worker.ts', import.meta.url),
    {
      type: 'module',
    },
  );
  const client = new RpcClient<EmbedMethods>(worker);
  return inWorker(worker, async () => {
    await client.call('load', {
      model: embeddingModelSpec(model),
      backend: 'wasm',
      remoteHost: mirror,
    });
    let chunks = 0;
    const failed: string[] = [];
    const started = performance.now();
    const result = await client.call(
      'ingest',
      { files: data, chunking: { ...DEFAULT_CHUNKING } },
      {
        onProgress: (p: FileProgress) => {
          if (p.stage === 'done') chunks += p.document.chunkCount;
          if (p.stage === 'failed') failed.push(`${files[p.file]}: ${p.error.message}`);
        },
      },
    );
    const ms = performance.now() - started;
    client.dispose();
    if (failed.length > 0) throw new Error(failed.join('; '));
    return { ms, chunks, added: result.added };
  });
}

Object.assign(window, { bench: { embed, app } });
document.title = 'ready';
