import type { RequestRecord, RequestSource } from '../core/web/request-kind';
import { toRequestRecord } from '../core/web/request-kind';

/**
 * How the app's workers tell their page which requests they made. Each global (page, worker) has
 * its own resource timing, so each worker observes its own and posts it on a BroadcastChannel.
 * A BroadcastChannel reaches every tab of the origin, so the channel is named for one page: the
 * page puts a random session id in each worker's name (`workerName`), which a worker can read
 * synchronously as `self.name`.
 */

export interface NetworkMessage {
  records: RequestRecord[];
}

const SEPARATOR = ' #';

/** This page's id; each realm that imports this module gets its own, and only the page's is used. */
export const networkSession = crypto.randomUUID();

export function networkChannelName(session: string): string {
  return `grounded-network:${session}`;
}

/** A worker's name carrying this page's session: `grounded-embed #<uuid>`. */
export function workerName(label: string): string {
  return `${label}${SEPARATOR}${networkSession}`;
}

/** The session in a worker's name, or null for a name `workerName` did not make. */
export function sessionOfWorkerName(name: string): string | null {
  const at = name.lastIndexOf(SEPARATOR);
  return at === -1 ? null : name.slice(at + SEPARATOR.length) || null;
}

/**
 * Posts every request this worker makes — those before the call too (`buffered`) — to the page
 * that named it. A worker started without a session posts nothing.
 */
export function reportWorkerRequests(source: RequestSource): void {
  const session = sessionOfWorkerName((self as unknown as { name: string }).name);
  if (!session || typeof PerformanceObserver === 'undefined') return;
  const channel = new BroadcastChannel(networkChannelName(session));
  new PerformanceObserver((list) => {
    const records = list
      .getEntries()
      .map((entry) =>
        toRequestRecord(entry as PerformanceResourceTiming, performance.timeOrigin, source),
      )
      .filter((record) => record !== null);
    if (records.length > 0) channel.postMessage({ records } satisfies NetworkMessage);
  }).observe({ type: 'resource', buffered: true });
}
