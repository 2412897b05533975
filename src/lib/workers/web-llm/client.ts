import { startWorker } from '../connect';
import bundleUrl from './web-llm.worker.ts?worker&url';

/**
 * Starts a worker running web-llm's own handler. The engine speaks web-llm's protocol to it and
 * watches it for errors itself: its crash becomes a load or answer error naming the model.
 */
export function startWebLlmWorker(): Worker {
  return startWorker({ bundleUrl, name: 'grounded-web-llm' });
}
