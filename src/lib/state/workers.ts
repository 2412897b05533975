import { RpcClient, type Methods } from '../workers/rpc';
import type { EmbedMethods } from '../workers/embed/protocol';
import type { SearchMethods } from '../workers/search/protocol';
import { workerName } from '../workers/network-channel';
import { startWorker } from '../workers/connect';
import embedWorkerUrl from '../workers/embed/embed.worker.ts?worker&url';
import searchWorkerUrl from '../workers/search/search.worker.ts?worker&url';

export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

function connect<M extends Methods>(
  worker: Worker,
  label: string,
  onCrash: (error: WorkerCrashedError) => void,
): RpcClient<M> {
  const client = new RpcClient<M>(worker);
  worker.addEventListener('error', (event) => {
    const error = new WorkerCrashedError(
      `The ${label} stopped unexpectedly${event.message ? ` (${event.message})` : ''}. Reload the page to start it again; your documents are safe.`,
    );
    client.failAll(error);
    onCrash(error);
  });
  return client;
}

export function startEmbedWorker(onCrash: (error: WorkerCrashedError) => void) {
  const worker = startWorker(embedWorkerUrl, workerName('grounded-embed'));
  return connect<EmbedMethods>(worker, 'embedding worker', onCrash);
}

export function startSearchWorker(onCrash: (error: WorkerCrashedError) => void) {
  const worker = startWorker(searchWorkerUrl, workerName('grounded-search'));
  return connect<SearchMethods>(worker, 'search worker', onCrash);
}
