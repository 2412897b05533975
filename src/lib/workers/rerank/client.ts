import type { RerankMethods } from './protocol';
import { RpcClient } from '../rpc';
import { workerName } from '../network-channel';
import { startWorker } from '../connect';
import rerankWorkerUrl from './rerank.worker.ts?worker&url';

export class RerankWorkerCrashedError extends Error {
  override name = 'RerankWorkerCrashedError';
}

export interface RerankWorker {
  client: RpcClient<RerankMethods>;
  /** Stops the worker and gives its memory back; requests in flight reject with an AbortError. */
  terminate(): void;
}

/**
 * Starts the reranking worker. It holds its own copy of onnxruntime and the model, so turning
 * the reranker off should terminate it.
 */
export function startRerankWorker(
  onCrash: (error: RerankWorkerCrashedError) => void,
): RerankWorker {
  const worker = startWorker(rerankWorkerUrl, workerName('grounded-rerank'));
  const client = new RpcClient<RerankMethods>(worker);
  worker.addEventListener('error', (event) => {
    const error = new RerankWorkerCrashedError(
      `The reranking worker stopped unexpectedly${event.message ? ` (${event.message})` : ''}. ` +
        'Turn the reranker off and on again, or reload the page; your documents are safe.',
    );
    client.failAll(error);
    onCrash(error);
  });
  return {
    client,
    terminate() {
      client.dispose();
      worker.terminate();
    },
  };
}
