import { matchesSource, modelSourceExpressions } from './csp';
import type { ModelSource } from '../models/model-source';

/** What a request was for, as the Network panel names it. */
export type RequestKind = 'app' | 'sample' | 'runtime' | 'model' | 'model-metadata' | 'other';

export const REQUEST_KIND_LABELS: Record<RequestKind, string> = {
  app: 'app file',
  sample: 'sample document',
  runtime: 'runtime (WebAssembly)',
  model: 'model file',
  'model-metadata': 'model metadata',
  other: 'other',
};

/** Where a request was made from. */
export type RequestSource =
  'page' | 'embedding worker' | 'search worker' | 'reranking worker' | 'web-llm worker';

/** One request, from a resource timing entry of the page or of one of the app's workers. */
export interface RequestRecord {
  url: string;
  source: RequestSource;
  /** Milliseconds since the epoch. */
  startedAt: number;
  /** Bytes over the network (0 when served from a cache), when the browser may tell. */
  transferSize?: number;
  /** Bytes of the response body after decoding, when the browser may tell. */
  decodedSize?: number;
}

/** The fields of a `PerformanceResourceTiming` the panel uses. */
export interface ResourceTimingLike {
  name: string;
  startTime: number;
  requestStart: number;
  transferSize: number;
  decodedBodySize: number;
}

/**
 * A resource timing entry as a record, or null for `blob:` and `data:` URLs, which are read from
 * memory. A cross-origin response without `Timing-Allow-Origin` reports zero for its sizes and
 * its request time, so its size is left unknown rather than shown as zero.
 */
export function toRequestRecord(
  entry: ResourceTimingLike,
  timeOrigin: number,
  source: RequestSource,
): RequestRecord | null {
  if (!/^https?:/.test(entry.name)) return null;
  const record: RequestRecord = {
    url: entry.name,
    source,
    startedAt: Math.round(timeOrigin + entry.startTime),
  };
  if (entry.requestStart > 0 || entry.transferSize > 0 || entry.decodedBodySize > 0) {
    record.transferSize = entry.transferSize;
    record.decodedSize = entry.decodedBodySize;
  }
  return record;
}

const MODEL_METADATA = /\.(json|txt|model)$/i;

/**
 * What a request was for. Hub and mirror paths look like `<owner>/<name>/resolve/main/<file>`;
 * the hub's CDN redirects (no file name in the path) carry only large files, i.e. weights.
 */
export function classifyRequest(url: URL, appOrigin: string, source: ModelSource): RequestKind {
  const path = url.pathname;
  if (path.endsWith('.wasm')) return 'runtime';
  const fromModelSource =
    path.includes('/resolve/') ||
    modelSourceExpressions(source).some((expression) => matchesSource(url, expression));
  if (fromModelSource && !(url.origin === appOrigin && !path.includes('/resolve/'))) {
    if (MODEL_METADATA.test(path)) return 'model-metadata';
    return 'model';
  }
  if (url.origin === appOrigin) {
    if (path.startsWith('/samples/')) return 'sample';
    if (/\/ort-wasm[^/]*\.mjs$/.test(path)) return 'runtime';
    return 'app';
  }
  return 'other';
}

export interface HostSummary {
  host: string;
  count: number;
  /** Sums over the requests whose size is known. */
  transferBytes: number;
  decodedBytes: number;
  unknownSizes: number;
  kinds: Partial<Record<RequestKind, number>>;
  /** The app's origin or a model source. */
  allowed: boolean;
}

export interface NetworkSummary {
  count: number;
  transferBytes: number;
  decodedBytes: number;
  unknownSizes: number;
  /** Most requests first. */
  hosts: HostSummary[];
  /** Hosts that are neither the app nor a model source; empty unless something is wrong. */
  unexpectedHosts: string[];
}

export function summarizeRequests(
  records: readonly RequestRecord[],
  appOrigin: string,
  source: ModelSource,
): NetworkSummary {
  const hosts = new Map<string, HostSummary>();
  const expressions = modelSourceExpressions(source);
  for (const record of records) {
    const url = new URL(record.url);
    let host = hosts.get(url.host);
    if (!host) {
      const allowed =
        url.origin === appOrigin ||
        expressions.some((expression) => matchesSource(url, expression));
      host = {
        host: url.host,
        count: 0,
        transferBytes: 0,
        decodedBytes: 0,
        unknownSizes: 0,
        kinds: {},
        allowed,
      };
      hosts.set(url.host, host);
    }
    host.count++;
    if (record.decodedSize === undefined) host.unknownSizes++;
    else {
      host.transferBytes += record.transferSize ?? 0;
      host.decodedBytes += record.decodedSize;
    }
    const kind = classifyRequest(url, appOrigin, source);
    host.kinds[kind] = (host.kinds[kind] ?? 0) + 1;
  }
  const list = [...hosts.values()].sort(
    (a, b) => b.count - a.count || a.host.localeCompare(b.host),
  );
  return {
    count: records.length,
    transferBytes: list.reduce((sum, host) => sum + host.transferBytes, 0),
    decodedBytes: list.reduce((sum, host) => sum + host.decodedBytes, 0),
    unknownSizes: list.reduce((sum, host) => sum + host.unknownSizes, 0),
    hosts: list,
    unexpectedHosts: list.filter((host) => !host.allowed).map((host) => host.host),
  };
}
