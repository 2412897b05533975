import type { RerankerModelSpec } from '../../core/models/rerank-catalogue';
import type { DownloadProgress, RerankBackend, Reranker } from '../../engines/rerank/reranker';
import type { BackendPreference } from '../embed/protocol';
import type { RerankLoadResult, RerankMethods } from './protocol';
import { type Handlers } from '../rpc';
import { loadWithFallback } from '../embed/backend-fallback';

export interface RerankHandlerDeps {
  loadReranker(options: {
    model: RerankerModelSpec;
    backend: RerankBackend;
    remoteHost?: string;
    onProgress: (progress: DownloadProgress) => void;
  }): Promise<Reranker>;
  /** null when WebGPU can be used, otherwise why not. */
  webgpuUnavailableReason(): Promise<string | null>;
}

export class RerankerNotLoadedError extends Error {
  override name = 'RerankerNotLoadedError';
  constructor() {
    super('The reranking model is not loaded: turn the reranker on again to load it.');
  }
}

interface Loaded {
  key: string;
  reranker: Reranker;
  result: RerankLoadResult;
}

export function createRerankHandlers(deps: RerankHandlerDeps): Handlers<RerankMethods> {
  let loaded: Loaded | null = null;
  // The load in progress: reranking waits for it rather than failing or using the old model.
  let loading: Promise<Loaded> | null = null;

  return {
    async load({ model, backend, remoteHost }, { progress }) {
      const key = JSON.stringify([model.id, backend, remoteHost ?? '']);
      // Loads run one after another; the last one asked for wins.
      while (loading) await loading.catch(() => {});
      if (loaded?.key === key) return loaded.result;
      const previous = loaded;
      loaded = null;
      const next = (async () => {
        await previous?.reranker.dispose();
        return loadReranker(deps, key, model, backend, remoteHost, progress);
      })();
      loading = next;
      try {
        loaded = await next;
        return loaded.result;
      } finally {
        if (loading === next) loading = null;
      }
    },

    async rerank({ query, passages }, { signal }) {
      if (passages.length === 0) return { scores: [], ms: 0 };
      const { reranker } = loaded ?? (loading ? await loading : null) ?? throwNotLoaded();
      const started = performance.now();
      const scores = await reranker.score(query, passages, signal);
      return { scores, ms: performance.now() - started };
    },
  };
}

function throwNotLoaded(): never {
  throw new RerankerNotLoadedError();
}

async function loadReranker(
  deps: RerankHandlerDeps,
  key: string,
  model: RerankerModelSpec,
  backend: BackendPreference,
  remoteHost: string | undefined,
  onProgress: (progress: DownloadProgress) => void,
): Promise<Loaded> {
  const options = { model, ...(remoteHost ? { remoteHost } : {}), onProgress };
  const { loaded: reranker, fallbackReason } = await loadWithFallback(
    backend,
    () => deps.webgpuUnavailableReason(),
    (chosen) => deps.loadReranker({ ...options, backend: chosen }),
  );
  const result: RerankLoadResult = {
    modelId: reranker.modelId,
    backend: reranker.backend,
    maxTokens: reranker.maxTokens,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
  return { key, reranker, result };
}
