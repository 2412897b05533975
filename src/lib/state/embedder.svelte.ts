import type { SelfCheck } from '../core/models/vector-agreement';
import type { DownloadProgress } from '../engines/embedding/embedder';
import type { EmbeddingBackend } from '../core/models/embedding-backend';
import { embeddingModelSpec } from '../core/models/embedding-catalogue';
import type { EmbedMethods, LoadResult } from '../workers/embed/protocol';
import type { RpcClient } from '../workers/rpc';
import type { Settings } from './settings.svelte';

export type EmbedderStatus = 'idle' | 'loading' | 'ready' | 'failed';

/** The WebGPU self-check's verdicts, one per model and adapter (the worker has no localStorage). */
const SELF_CHECKS_KEY = 'grounded:webgpu-self-checks';

/** The embedding model in the worker: which one, on which backend, and its download. */
export class EmbedderState {
  status = $state<EmbedderStatus>('idle');
  modelId = $state('');
  backend = $state<EmbeddingBackend | null>(null);
  fallbackReason = $state<string | null>(null);
  /** How WebGPU's vectors compared with WASM's for the loaded model, when WebGPU was tried. */
  selfCheck = $state.raw<LoadResult['selfCheck'] | null>(null);
  selfCheckError = $state<string | null>(null);
  download = $state.raw<DownloadProgress | null>(null);
  error = $state<string | null>(null);
  #client: RpcClient<EmbedMethods>;
  #settings: Settings;
  #pending: { key: string; promise: Promise<LoadResult> } | null = null;
  #storage: Storage | undefined;

  constructor(client: RpcClient<EmbedMethods>, settings: Settings, storage?: Storage) {
    this.#client = client;
    this.#settings = settings;
    this.#storage = storage;
  }

  /** Loads `modelId` unless it is already loaded or loading; resolves when it can embed. */
  ensureLoaded(modelId: string, { reload = false } = {}): Promise<LoadResult> {
    const backend = this.#settings.backend;
    const remoteHost = this.#settings.modelSource.mirror;
    const key = JSON.stringify([modelId, backend, remoteHost ?? '']);
    if (this.#pending?.key === key && this.status !== 'failed' && !reload) {
      return this.#pending.promise;
    }

    this.status = 'loading';
    this.modelId = modelId;
    this.backend = null;
    this.error = null;
    this.download = null;
    this.selfCheck = null;
    this.selfCheckError = null;
    const selfChecks = this.#readSelfChecks().filter((c) => c.modelId === modelId);
    const promise = this.#client
      .call(
        'load',
        {
          model: embeddingModelSpec(modelId),
          backend,
          ...(remoteHost ? { remoteHost } : {}),
          ...(selfChecks.length > 0 ? { selfChecks } : {}),
          ...(reload ? { reload } : {}),
        },
        { onProgress: (p) => (this.download = p) },
      )
      .then(
        (result) => {
          if (result.selfCheck && !result.selfCheck.remembered) {
            const { remembered: _, ...check } = result.selfCheck;
            this.#rememberSelfCheck(check);
          }
          if (this.#pending?.key === key) {
            this.status = 'ready';
            this.backend = result.backend;
            this.fallbackReason = result.fallbackReason ?? null;
            this.selfCheck = result.selfCheck ?? null;
            this.selfCheckError = result.selfCheckError ?? null;
          }
          return result;
        },
        (error: Error) => {
          if (this.#pending?.key === key) {
            this.status = 'failed';
            this.error = error.message;
          }
          throw error;
        },
      );
    this.#pending = { key, promise };
    return promise;
  }

  /**
   * Forgets the self-check's verdict for the loaded model on this adapter and loads the model
   * again, which checks again: after a browser or driver update, say.
   */
  checkWebgpuAgain(): Promise<LoadResult> | undefined {
    const check = this.selfCheck;
    if (!check || this.status !== 'ready') return undefined;
    this.#writeSelfChecks(this.#othersThan(check));
    return this.ensureLoaded(check.modelId, { reload: true });
  }

  #readSelfChecks(): SelfCheck[] {
    try {
      const parsed: unknown = JSON.parse(this.#storage?.getItem(SELF_CHECKS_KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isSelfCheck).map(withNaN) : [];
    } catch {
      return [];
    }
  }

  #rememberSelfCheck(check: SelfCheck): void {
    this.#writeSelfChecks([...this.#othersThan(check), check]);
  }

  /** The remembered verdicts but the one for `check`'s model and adapter. */
  #othersThan(check: Pick<SelfCheck, 'modelId' | 'device'>): SelfCheck[] {
    return this.#readSelfChecks().filter(
      (c) => c.modelId !== check.modelId || c.device !== check.device,
    );
  }

  #writeSelfChecks(checks: SelfCheck[]): void {
    try {
      this.#storage?.setItem(SELF_CHECKS_KEY, JSON.stringify(checks));
    } catch {
      // Private browsing or a full quota: the check then runs again next visit.
    }
  }
}

function isSelfCheck(value: unknown): value is SelfCheck {
  const c = value as Partial<Record<keyof SelfCheck, unknown>> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.modelId === 'string' &&
    typeof c.device === 'string' &&
    typeof c.agree === 'boolean' &&
    typeof c.checkedAt === 'number' &&
    Array.isArray(c.cosines) &&
    c.cosines.every((x) => x === null || typeof x === 'number')
  );
}

/** JSON writes NaN as null. */
function withNaN(check: SelfCheck): SelfCheck {
  return { ...check, cosines: check.cosines.map((c) => c ?? NaN) };
}
