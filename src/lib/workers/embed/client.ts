import { connect, type WorkerCrashedError } from '../connect';
import type { EmbedMethods } from './protocol';
import bundleUrl from './embed.worker.ts?worker&url';

export function startEmbedWorker(onCrash: (error: WorkerCrashedError) => void) {
  return connect<EmbedMethods>(
    {
      bundleUrl,
      name: 'grounded-embed',
      label: 'the embedding worker',
      advice: 'Reload the page to start it again; your documents are safe.',
    },
    onCrash,
  ).client;
}
