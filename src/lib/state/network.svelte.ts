import type { ModelSource } from '../core/models/model-source';
import {
  summarizeRequests,
  toRequestRecord,
  type NetworkSummary,
  type RequestRecord,
} from '../core/web/request-kind';
import {
  networkChannelName,
  networkSession,
  type NetworkMessage,
} from '../workers/network-channel';

/**
 * Every request this page and its workers have made this session, from the browser's resource
 * timing. Not seen: requests of workers the app does not write (wllama's, which loads its
 * WebAssembly runtime from this app's origin) and of the service worker.
 */
export class NetworkLog {
  requests = $state.raw<RequestRecord[]>([]);
  readonly appOrigin: string;
  readonly source: ModelSource;
  summary: NetworkSummary = $derived.by(() =>
    summarizeRequests(this.requests, this.appOrigin, this.source),
  );
  #stop: (() => void) | null = null;

  constructor(appOrigin: string, source: ModelSource) {
    this.appOrigin = appOrigin;
    this.source = source;
  }

  start(): () => void {
    // Long sessions load more than the default 250 entries the browser buffers.
    performance.setResourceTimingBufferSize?.(5000);
    // Chromium may deliver an entry twice (the page's navigation entry, when its load ends);
    // two requests never share a type, an address and a start time to the microsecond.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
    const seen = new Set<string>();
    const observe = (type: 'navigation' | 'resource') => {
      const observer = new PerformanceObserver((list) => {
        const fresh = list.getEntries().filter((entry) => {
          const key = `${entry.entryType} ${entry.startTime} ${entry.name}`;
          return !seen.has(key) && Boolean(seen.add(key));
        });
        this.#add(
          fresh
            .map((entry) =>
              toRequestRecord(entry as PerformanceResourceTiming, performance.timeOrigin, 'page'),
            )
            .filter((record) => record !== null),
        );
      });
      observer.observe({ type, buffered: true });
      return observer;
    };
    // The page's own address is a navigation entry, the rest are resource entries.
    const observers = [observe('navigation'), observe('resource')];
    const channel = new BroadcastChannel(networkChannelName(networkSession));
    channel.onmessage = (event: MessageEvent<NetworkMessage>) => this.#add(event.data.records);
    this.#stop = () => {
      for (const observer of observers) observer.disconnect();
      channel.close();
    };
    return () => this.stop();
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }

  #add(records: RequestRecord[]): void {
    if (records.length === 0) return;
    this.requests = [...this.requests, ...records].sort((a, b) => a.startedAt - b.startedAt);
  }
}
