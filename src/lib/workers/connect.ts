import { workerName } from './network-channel';
import { RpcClient, type Endpoint, type Methods } from './rpc';

/** Which of the app's workers to start, and what to tell the user if it dies. */
export interface WorkerSpec {
  /** A `?worker&url` import, so Vite still bundles the worker as its own file. */
  bundleUrl: string;
  /** The worker's name in devtools and the network panel, e.g. `grounded-embed`. */
  name: string;
  /** How the user knows it: `the embedding worker`. */
  label: string;
  /** What to do once it has died. */
  advice: string;
}

/** A worker died: an uncaught error or one that failed to load. Names the worker and what to do. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';

  constructor(
    readonly worker: string,
    reason: string,
    advice: string,
  ) {
    const label = worker.charAt(0).toUpperCase() + worker.slice(1);
    super(`${label} stopped unexpectedly${reason ? ` (${reason})` : ''}. ${advice}`);
  }
}

/**
 * Starts one of the app's dedicated workers so that it obeys this page's Content-Security-Policy.
 *
 * A worker loaded from a URL takes the policy of its own response, which cannot know this visit's
 * model mirror, so it could connect anywhere. A worker loaded from a `blob:` URL inherits the
 * policy of the page that made it — the connect-src that src/apply-csp.ts added included — and its
 * cross-origin isolation and service worker too. So the worker is a one-line blob module that
 * imports the real bundle: the bundle's `import.meta.url` stays its own http(s) URL, which
 * onnxruntime and transformers.js find their files from. (`self.location` is the blob URL, so
 * code in a worker resolves its own asset URLs against `import.meta.url`.)
 */
export function startWorker({ bundleUrl, name }: Pick<WorkerSpec, 'bundleUrl' | 'name'>): Worker {
  const source = `import ${JSON.stringify(new URL(bundleUrl, location.href).href)};`;
  const shim = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return new Worker(shim, { type: 'module', name: workerName(name) });
  } finally {
    // The constructor has already resolved the blob (the URL parser takes the blob's entry), so
    // the worker still loads it; revoking now frees it however the worker ends.
    URL.revokeObjectURL(shim);
  }
}

/** The part of a `Worker` a connection uses (tests pass a fake). */
export type ConnectableWorker = Endpoint & {
  addEventListener(type: 'error', listener: (event: Event) => void): void;
  terminate(): void;
};

export interface Connection<M extends Methods> {
  client: RpcClient<M>;
  /** Stops the worker and gives its memory back; requests in flight reject with an AbortError. */
  terminate(): void;
}

/**
 * Starts `spec`'s worker and speaks its protocol. If it dies, every request in flight rejects with
 * a `WorkerCrashedError` naming it, and `onCrash` gets the same error to show.
 */
export function connect<M extends Methods>(
  spec: WorkerSpec,
  onCrash: (error: WorkerCrashedError) => void,
  start: (spec: WorkerSpec) => ConnectableWorker = startWorker,
): Connection<M> {
  const worker = start(spec);
  const client = new RpcClient<M>(worker);
  worker.addEventListener('error', (event: Event) => {
    const reason = 'message' in event && typeof event.message === 'string' ? event.message : '';
    const error = new WorkerCrashedError(spec.label, reason, spec.advice);
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
