import { connect, type Connection, type WorkerCrashedError } from '../connect';
import type { RerankMethods } from './protocol';
import bundleUrl from './rerank.worker.ts?worker&url';

export type RerankWorker = Connection<RerankMethods>;

/**
 * Starts the reranking worker. It holds its own copy of onnxruntime and the model, so turning
 * the reranker off should terminate it.
 */
export function startRerankWorker(onCrash: (error: WorkerCrashedError) => void): RerankWorker {
  return connect<RerankMethods>(
    {
      bundleUrl,
      name: 'grounded-rerank',
      label: 'the reranking worker',
      advice: 'Turn the reranker off and on again, or reload the page; your documents are safe.',
    },
    onCrash,
  );
}
