/**
 * Whether transformers.js has a model's files in the browser's cache, read straight from the
 * Cache API without importing transformers.js. transformers.js keeps each file it downloads in
 * the cache `transformers-cache`, keyed by the URL it fetched:
 * `<host><owner>/<name>/resolve/main/<file>`.
 */

import type { EmbeddingBackend } from '../../core/models/embedding-backend';

export const TRANSFORMERS_CACHE = 'transformers-cache';

/** The ONNX weights each backend loads: full precision on WebGPU, quantized elsewhere. */
const WEIGHTS: Record<EmbeddingBackend, string> = {
  webgpu: 'onnx/model.onnx',
  wasm: 'onnx/model_quantized.onnx',
  cpu: 'onnx/model_quantized.onnx',
};

/** The files a text model needs besides its weights (config, tokenizer). */
const COMMON_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

export function modelFileUrl(host: string, modelId: string, file: string): string {
  const base = host.endsWith('/') ? host : `${host}/`;
  return `${base}${modelId}/resolve/main/${file}`;
}

/**
 * True when every file the model needs is among `cachedUrls`; on an unknown backend (the model
 * has not been loaded yet), the weights of either backend will do.
 */
export function hasModelFiles(
  cachedUrls: ReadonlySet<string>,
  host: string,
  modelId: string,
  backend: EmbeddingBackend | undefined,
): boolean {
  const has = (file: string) => cachedUrls.has(modelFileUrl(host, modelId, file));
  const weights = backend ? [WEIGHTS[backend]] : Object.values(WEIGHTS);
  return COMMON_FILES.every(has) && weights.some(has);
}

/** The URLs in transformers.js's cache (empty when it has none). */
export async function transformersCachedUrls(
  storage: CacheStorage = globalThis.caches,
): Promise<Set<string>> {
  // `open` would create a missing cache.
  if (!(await storage.has(TRANSFORMERS_CACHE))) return new Set();
  const cache = await storage.open(TRANSFORMERS_CACHE);
  return new Set((await cache.keys()).map((request) => request.url));
}
