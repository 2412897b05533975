/**
 * Model files the engines keep in this browser, listed and deleted without loading any engine:
 *
 *   transformers.js  Cache API cache 'transformers-cache' (its `env.cacheKey`): the embedding model
 *                    and the reranker, keyed by `<host><owner>/<name>/resolve/main/<file>`, and
 *                    onnxruntime-web's runtime, fetched from the app's own origin
 *   web-llm          Cache API caches webllm/config, webllm/model, webllm/wasm
 *                    (see engines/llm/web-llm-cache.ts, which lists them per model)
 *   wllama           GGUF files in the origin-private file system, folder 'cache', through
 *                    wllama's own CacheManager (one file and one `__metadata__` file per download)
 */

import type { CachedFile } from '../core/models/model-storage';
import { repoOfUrl } from '../core/models/model-storage';
import { TRANSFORMERS_CACHE } from './embedding/transformers-cache';
import { WEB_LLM_CACHES } from './llm/web-llm-cache';

/** A GGUF file wllama downloaded. */
export interface GgufFile {
  /** wllama's storage key: `<sha1 of the URL>_<file name>`. */
  name: string;
  /** The URL it came from, when wllama recorded it. */
  url: string;
  bytes: number;
  /** Less than the file's full size: a download that was cut off. */
  incomplete: boolean;
}

/** Every file in transformers.js's cache, with its size. */
export async function transformersFiles(
  storage: CacheStorage = globalThis.caches,
): Promise<CachedFile[]> {
  // `open` would create the cache; nothing is in one that does not exist.
  if (!(await storage.has(TRANSFORMERS_CACHE))) return [];
  const cache = await storage.open(TRANSFORMERS_CACHE);
  const files: CachedFile[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (response) files.push({ url: request.url, bytes: await responseBytes(response) });
  }
  return files;
}

/** Deletes every file of the repository `repo` from transformers.js's cache. */
export async function deleteTransformersRepo(
  repo: string,
  storage: CacheStorage = globalThis.caches,
): Promise<void> {
  if (!(await storage.has(TRANSFORMERS_CACHE))) return;
  const cache = await storage.open(TRANSFORMERS_CACHE);
  for (const request of await cache.keys()) {
    if (repoOfUrl(request.url) === repo) await cache.delete(request);
  }
}

/** Deletes transformers.js's whole cache (models and runtime); true if it existed. */
export function deleteTransformersCache(
  storage: CacheStorage = globalThis.caches,
): Promise<boolean> {
  return storage.delete(TRANSFORMERS_CACHE);
}

/** Deletes web-llm's three caches: every downloaded GPU model. */
export async function deleteWebLlmCaches(storage: CacheStorage = globalThis.caches): Promise<void> {
  for (const name of WEB_LLM_CACHES) await storage.delete(name);
}

/** What wllama has downloaded, read through its own CacheManager. */
export async function ggufFiles(): Promise<GgufFile[]> {
  const manager = await ggufCache();
  if (!manager) return [];
  return (await manager.list()).map((entry) => ({
    name: entry.name,
    url: entry.metadata.originalURL,
    bytes: entry.size,
    incomplete: entry.metadata.originalSize > 0 && entry.size < entry.metadata.originalSize,
  }));
}

export async function deleteGgufFile(name: string): Promise<void> {
  await (await ggufCache())?.delete(name);
}

/** Deletes every file wllama downloaded. */
export async function clearGgufFiles(): Promise<void> {
  await (await ggufCache())?.clear();
}

async function ggufCache() {
  if (!globalThis.navigator?.storage?.getDirectory) return null;
  // The same module the wllama engine loads, so the app ships it once.
  const { CacheManager } = await import('@wllama/wllama/esm/index.js');
  return new CacheManager();
}

/**
 * A stored response's size: its Content-Length (CORS-safelisted, so the hub's and a mirror's
 * answers keep it), else its body as a Blob, whose size the browser knows without reading it.
 */
async function responseBytes(response: Response): Promise<number> {
  const length = Number(response.headers.get('Content-Length') ?? NaN);
  return Number.isFinite(length) ? length : (await response.blob()).size;
}
