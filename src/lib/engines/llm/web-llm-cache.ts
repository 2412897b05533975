/**
 * What web-llm has downloaded, read straight from the Cache API without importing web-llm.
 *
 * web-llm 0.2.86 keeps every download in three Cache API caches, keyed by the URL it fetched:
 *
 *   webllm/config   <base>mlc-chat-config.json
 *   webllm/model    <base>tensor-cache.json, <base>params_shard_*.bin, <base>tokenizer.json
 *   webllm/wasm     the model library (`model_lib`), unless its URL contains "localhost"
 *
 * where <base> is the record's `model` URL followed by `/resolve/main/`. `Cache.add` stores a file
 * only once it has arrived whole, so an interrupted download leaves complete files only: the
 * config, the library, the tokenizer and the shards that finished. These functions find all of
 * them by URL prefix, and `web-llm-cache.test.ts` checks that they agree with web-llm's own
 * `hasModelInCache` and remove everything its `deleteModelAllInfoInCache` leaves behind.
 */

import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';

const CONFIG_CACHE = 'webllm/config';
const MODEL_CACHE = 'webllm/model';
const WASM_CACHE = 'webllm/wasm';
export const WEB_LLM_CACHES = [CONFIG_CACHE, MODEL_CACHE, WASM_CACHE] as const;

export interface CachedModel {
  id: string;
  /** Bytes stored for the model (weights, tokenizer, config, library), when the browser says. */
  bytes: number | undefined;
}

/** The part of `tensor-cache.json` that lists the weight files. */
interface TensorCacheManifest {
  records: { dataPath: string }[];
}

interface CacheEntry {
  cache: Cache;
  request: Request;
}

/** Where web-llm fetches a model's files from (its `cleanModelUrl`). */
export function modelBaseUrl(record: ModelRecord): string {
  let url = record.model.endsWith('/') ? record.model : `${record.model}/`;
  if (!/.+\/resolve\/.+\//.test(url)) url += 'resolve/main/';
  return new URL(url).href;
}

/** The same rule as web-llm's `hasModelInCache`: the weight manifest and every file it lists. */
export async function isModelCached(
  record: ModelRecord,
  storage: CacheStorage = globalThis.caches,
): Promise<boolean> {
  if (!(await storage.has(MODEL_CACHE))) return false;
  const cache = await storage.open(MODEL_CACHE);
  const base = modelBaseUrl(record);
  const manifest = await cache.match(new URL('tensor-cache.json', base).href);
  if (!manifest) return false;
  const { records } = (await manifest.json()) as TensorCacheManifest;
  const stored = new Set((await cache.keys()).map((request) => request.url));
  return records.every(({ dataPath }) => stored.has(new URL(dataPath, base).href));
}

/** The models of `appConfig` that are fully downloaded, with what they take on disk. */
export async function cachedModels(
  appConfig: AppConfig,
  storage: CacheStorage = globalThis.caches,
): Promise<CachedModel[]> {
  const cached: CachedModel[] = [];
  for (const record of appConfig.model_list) {
    if (!(await isModelCached(record, storage))) continue;
    const bytes = await storedBytes(record, storage).catch(() => undefined);
    cached.push({ id: record.model_id, bytes });
  }
  return cached;
}

/**
 * Sum of the stored files' sizes: each response's Content-Length (a CORS-safelisted header, so
 * the hub's and a mirror's answers keep it), else the size of its body as a Blob, which the
 * browser knows without reading the body into memory.
 */
export async function storedBytes(
  record: ModelRecord,
  storage: CacheStorage = globalThis.caches,
): Promise<number> {
  let total = 0;
  for (const { cache, request } of await entriesOf(record, storage)) {
    const response = await cache.match(request);
    if (!response) continue;
    const length = Number(response.headers.get('Content-Length') ?? NaN);
    total += Number.isFinite(length) ? length : (await response.blob()).size;
  }
  return total;
}

/**
 * Removes every file of `modelId` from the caches, complete or not. The model library stays when
 * another model of `appConfig` that is still downloaded runs on the same one (Qwen2 and Qwen2.5
 * share theirs, for example).
 */
export async function deleteCachedModel(
  modelId: string,
  appConfig: AppConfig,
  storage: CacheStorage = globalThis.caches,
): Promise<void> {
  const record = appConfig.model_list.find((r) => r.model_id === modelId);
  if (!record) throw new RangeError(`${modelId} is not in this web-llm configuration.`);
  const keepLibrary = await libraryInUse(record, appConfig, storage);
  for (const { cache, request } of await entriesOf(record, storage)) {
    if (keepLibrary && request.url === new URL(record.model_lib).href) continue;
    await cache.delete(request);
  }
}

async function libraryInUse(
  record: ModelRecord,
  appConfig: AppConfig,
  storage: CacheStorage,
): Promise<boolean> {
  for (const other of appConfig.model_list) {
    if (other.model_id === record.model_id || other.model_lib !== record.model_lib) continue;
    if (await isModelCached(other, storage)) return true;
  }
  return false;
}

/** Every cached file of the model: all URLs under its base, and its library. */
async function entriesOf(record: ModelRecord, storage: CacheStorage): Promise<CacheEntry[]> {
  const base = modelBaseUrl(record);
  const library = new URL(record.model_lib).href;
  const entries: CacheEntry[] = [];
  for (const name of WEB_LLM_CACHES) {
    // `open` would create a missing cache; there is nothing in one that is missing.
    if (!(await storage.has(name))) continue;
    const cache = await storage.open(name);
    for (const request of await cache.keys()) {
      if (request.url.startsWith(base) || (name === WASM_CACHE && request.url === library)) {
        entries.push({ cache, request });
      }
    }
  }
  return entries;
}

/**
 * The model's library (its compiled WebGPU kernels) is in web-llm's cache too; web-llm does not
 * keep libraries fetched from a URL containing "localhost", which then need the network.
 */
export async function isLibraryCached(
  record: ModelRecord,
  storage: CacheStorage = globalThis.caches,
): Promise<boolean> {
  if (!(await storage.has(WASM_CACHE))) return false;
  const cache = await storage.open(WASM_CACHE);
  return (await cache.match(new URL(record.model_lib).href)) !== undefined;
}
