/**
 * The Chromium retrieval benchmark page: `window.bench(type, request)` runs one measurement in a
 * fresh dedicated worker (worker.ts) and resolves with its result.
 */
import { RpcClient } from '../../src/lib/workers/rpc';
import type { BenchMethods } from './worker';

async function bench<K extends keyof BenchMethods & string>(
  type: K,
  request: BenchMethods[K]['request'],
): Promise<BenchMethods[K]['result']> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const client = new RpcClient<BenchMethods>(worker);
  const crashed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (event) => reject(new Error(event.message))),
  );
  try {
    return await Promise.race([client.call(type, request), crashed]);
  } finally {
    client.dispose();
    worker.terminate();
  }
}

(window as unknown as { bench: typeof bench }).bench = bench;
document.title = 'ready';
