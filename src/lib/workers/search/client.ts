import { connect, type WorkerCrashedError } from '../connect';
import type { SearchMethods } from './protocol';
import bundleUrl from './search.worker.ts?worker&url';

export function startSearchWorker(onCrash: (error: WorkerCrashedError) => void) {
  return connect<SearchMethods>(
    {
      bundleUrl,
      name: 'grounded-search',
      label: 'the search worker',
      advice: 'Reload the page to start it again; your documents are safe.',
    },
    onCrash,
  ).client;
}
