/**
 * A small typed request/response channel over postMessage, shared by both sides of every worker.
 *
 * Each worker declares its methods as a map (`{ embed: { request; result; progress } }`); the
 * messages that cross are exact discriminated unions derived from it. Errors cross as data
 * (`{ name, message }`), never as thrown objects or strings, and a request can be aborted.
 */

export interface MethodSpec {
  request: unknown;
  result: unknown;
  progress: unknown;
}
export type Methods = Record<string, MethodSpec>;

export interface SerializedError {
  name: string;
  message: string;
}

/** Sent to the worker. `abort` is reserved: it cancels the request with that id. */
export type ToWorker<M extends Methods> =
  | { [K in keyof M & string]: { id: number; type: K; payload: M[K]['request'] } }[keyof M & string]
  | { id: number; type: 'abort' };

/** Sent back by the worker: any number of progress events, then one result or one error. */
export type FromWorker<M extends Methods> =
  | {
      [K in keyof M & string]: { id: number; type: 'progress'; payload: M[K]['progress'] };
    }[keyof M & string]
  | { [K in keyof M & string]: { id: number; type: 'result'; payload: M[K]['result'] } }[keyof M &
      string]
  | { id: number; type: 'error'; error: SerializedError };

/** The part of Worker, MessagePort and DedicatedWorkerGlobalScope both sides need. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** MessagePorts deliver nothing until started when listened to with addEventListener. */
  start?(): void;
}

/** A value to post with some of its buffers transferred instead of copied. */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly transfer: Transferable[],
  ) {}
}

/** An error that happened on the other side of a worker boundary, with its original name. */
export class RemoteError extends Error {
  constructor({ name, message }: SerializedError) {
    super(message);
    this.name = name;
  }
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error || error instanceof DOMException) {
    return { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}

export function abortError(message = 'The operation was cancelled.'): DOMException {
  return new DOMException(message, 'AbortError');
}

export function isAbortError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}

export interface CallOptions<P> {
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
  transfer?: Transferable[];
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress?: (progress: never) => void;
}

export class RpcClient<M extends Methods> {
  #endpoint: Endpoint;
  #nextId = 1;
  #pending = new Map<number, Pending>();

  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
    endpoint.addEventListener('message', this.#onMessage);
    endpoint.start?.();
  }

  call<K extends keyof M & string>(
    type: K,
    payload: M[K]['request'],
    options: CallOptions<M[K]['progress']> = {},
  ): Promise<M[K]['result']> {
    const { signal, onProgress, transfer = [] } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.#pending.delete(id)) return;
        this.#endpoint.postMessage({ id, type: 'abort' } satisfies ToWorker<M>);
        reject(abortError());
      };
      this.#pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as M[K]['result']);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        onProgress: onProgress as Pending['onProgress'],
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#endpoint.postMessage({ id, type, payload } as ToWorker<M>, transfer);
    });
  }

  /** Rejects every request in flight, e.g. when the worker crashed. */
  failAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }

  dispose(): void {
    this.#endpoint.removeEventListener('message', this.#onMessage);
    this.failAll(abortError('The worker was stopped.'));
  }

  #onMessage = (event: MessageEvent) => {
    const message = event.data as FromWorker<M>;
    const pending = this.#pending.get(message.id);
    if (!pending) return; // aborted or superseded: late messages are dropped
    switch (message.type) {
      case 'progress':
        pending.onProgress?.(message.payload as never);
        break;
      case 'result':
        this.#pending.delete(message.id);
        pending.resolve(message.payload);
        break;
      case 'error':
        this.#pending.delete(message.id);
        pending.reject(new RemoteError(message.error));
        break;
    }
  };
}

export interface HandlerContext<P> {
  signal: AbortSignal;
  progress(progress: P): void;
}

export type Handlers<M extends Methods> = {
  [K in keyof M & string]: (
    payload: M[K]['request'],
    context: HandlerContext<M[K]['progress']>,
  ) => Promise<M[K]['result'] | Transfer<M[K]['result']>>;
};

/** Answers requests arriving on `endpoint` with `handlers`; returns a function that stops it. */
export function serve<M extends Methods>(endpoint: Endpoint, handlers: Handlers<M>): () => void {
  const running = new Map<number, AbortController>();
  const post = (message: FromWorker<M>, transfer: Transferable[] = []) =>
    endpoint.postMessage(message, transfer);

  const onMessage = async (event: MessageEvent) => {
    const message = event.data as ToWorker<M>;
    if (message.type === 'abort') {
      running.get(message.id)?.abort(abortError());
      return;
    }
    // Not an abort, so a call: TypeScript cannot narrow a union built from a generic map.
    const { id, type, payload } = message as { id: number; type: keyof M & string; payload: never };
    const handler = handlers[type];
    if (!handler) {
      post({
        id,
        type: 'error',
        error: { name: 'TypeError', message: `Unknown request “${type}”.` },
      });
      return;
    }
    const controller = new AbortController();
    running.set(id, controller);
    try {
      const result = await handler(payload, {
        signal: controller.signal,
        progress: (progress) => post({ id, type: 'progress', payload: progress } as FromWorker<M>),
      });
      if (result instanceof Transfer) {
        post({ id, type: 'result', payload: result.value } as FromWorker<M>, result.transfer);
      } else {
        post({ id, type: 'result', payload: result } as FromWorker<M>);
      }
    } catch (error) {
      post({ id, type: 'error', error: serializeError(error) });
    } finally {
      running.delete(id);
    }
  };

  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
  return () => {
    endpoint.removeEventListener('message', onMessage);
    for (const controller of running.values()) controller.abort(abortError());
  };
}
