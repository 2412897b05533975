import { deleteModelAllInfoInCache, hasModelInCache, type AppConfig } from '@mlc-ai/web-llm';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  cachedModels,
  deleteCachedModel,
  isLibraryCached,
  isModelCached,
  modelBaseUrl,
  storedBytes,
  WEB_LLM_CACHES,
} from './web-llm-cache';
import { WEB_LLM_MODELS, findWebLlmModel } from '../../core/models/web-llm-catalogue';
import { appConfigFor } from './web-llm-config';
import {
  ALL,
  FakeCacheStorage,
  INTERRUPTED,
  SHARDS,
  downloaded,
  tensorCache,
  type Step,
} from './web-llm-fakes';

const appConfig: AppConfig = appConfigFor(WEB_LLM_MODELS, 'http://127.0.0.1:9000/');
const record = (id: string) => appConfig.model_list.find((r) => r.model_id === id)!;
const QWEN = record('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
const SMOL = record('SmolLM2-360M-Instruct-q4f32_1-MLC');

let storage: FakeCacheStorage;
const realCaches = globalThis.caches;

beforeEach(() => {
  storage = new FakeCacheStorage();
  // web-llm's own cache functions use the global `caches`.
  globalThis.caches = storage as unknown as CacheStorage;
});

afterEach(() => {
  globalThis.caches = realCaches;
});

const fake = () => storage as unknown as CacheStorage;

describe('which models are downloaded', () => {
  test.each([
    ['nothing', [] as Step[], false],
    ['the config and library only', ['config', 'wasm'] as Step[], false],
    ['an interrupted download', INTERRUPTED, false],
    ['every file', ALL, true],
    ['every weight file but no config', ALL.filter((s) => s !== 'config'), true],
  ])('after %s: the same answer as web-llm’s hasModelInCache', async (_, steps, expected) => {
    await downloaded(storage, QWEN, steps);
    expect(await isModelCached(QWEN, fake())).toBe(expected);
    expect(await hasModelInCache(QWEN.model_id, appConfig)).toBe(expected);
  });

  test('the model library counts separately: offline, web-llm needs it too', async () => {
    expect(await isLibraryCached(QWEN, fake())).toBe(false);
    await downloaded(
      storage,
      QWEN,
      ALL.filter((s) => s !== 'wasm'),
    );
    expect(await isModelCached(QWEN, fake())).toBe(true);
    expect(await isLibraryCached(QWEN, fake())).toBe(false);
    await downloaded(storage, QWEN, ['wasm']);
    expect(await isLibraryCached(QWEN, fake())).toBe(true);
  });

  test('lists the downloaded models of the configuration with their size', async () => {
    await downloaded(storage, QWEN, ALL);
    await downloaded(storage, SMOL, INTERRUPTED);
    const cached = await cachedModels(appConfig, fake());
    expect(cached.map((c) => c.id)).toEqual([QWEN.model_id]);
    // Shards by Content-Length (1000 each, though only 10 bytes are stored here), the rest by size.
    const rest = '{}'.length + 'wasm-bytes'.length + '{"t":1}'.length + tensorCache().length;
    expect(cached[0]!.bytes).toBe(SHARDS * 1000 + rest);
    expect(await storedBytes(QWEN, fake())).toBe(SHARDS * 1000 + rest);
  });

  test('a model cached from another source does not count', async () => {
    await downloaded(storage, QWEN, ALL);
    const hub = appConfigFor(WEB_LLM_MODELS).model_list.find((r) => r.model_id === QWEN.model_id)!;
    expect(await isModelCached(hub, fake())).toBe(false);
  });

  test('reads nothing from the network', async () => {
    await downloaded(storage, QWEN, INTERRUPTED);
    await cachedModels(appConfig, fake());
    expect(storage.network.requested).toEqual([]);
  });
});

describe('deleting a model', () => {
  test('removes every file of an interrupted download and nothing else', async () => {
    await downloaded(storage, SMOL, ALL);
    const smolFiles = storage.urls();
    await downloaded(storage, QWEN, INTERRUPTED);
    await deleteCachedModel(QWEN.model_id, appConfig, fake());
    expect(storage.urls().sort()).toEqual(smolFiles.sort());
    expect(storage.network.requested).toEqual([]);
  });

  test('removes a download that stopped before the weight manifest', async () => {
    await downloaded(storage, QWEN, ['config', 'wasm', 'tokenizer']);
    await deleteCachedModel(QWEN.model_id, appConfig, fake());
    expect(storage.urls()).toEqual([]);
  });

  test('removes a complete model', async () => {
    await downloaded(storage, QWEN, ALL);
    await deleteCachedModel(QWEN.model_id, appConfig, fake());
    expect(storage.urls()).toEqual([]);
    expect(await cachedModels(appConfig, fake())).toEqual([]);
  });

  test('keeps a library that another downloaded model runs on', async () => {
    const shared: AppConfig = {
      ...appConfig,
      model_list: [QWEN, { ...QWEN, model_id: 'Qwen2-0.5B', model: 'http://127.0.0.1:9000/q2' }],
    };
    await downloaded(storage, QWEN, ALL);
    await downloaded(storage, shared.model_list[1]!, ALL);
    await deleteCachedModel(QWEN.model_id, shared, fake());
    expect(storage.urls()).toContain(QWEN.model_lib);
    expect(storage.urls().filter((u) => u.startsWith(modelBaseUrl(QWEN)))).toEqual([]);
  });

  test('an unknown model is an error', async () => {
    await expect(deleteCachedModel('nope', appConfig, fake())).rejects.toThrow(RangeError);
  });
});

// Why web-llm-cache.ts cleans up itself rather than calling web-llm's deleteModelAllInfoInCache.
// If web-llm changes this behaviour these tests fail, and the comment in web-llm-cache.ts and the
// engine's cleanup should be revisited.
describe('what web-llm 0.2.86’s deleteModelAllInfoInCache leaves behind', () => {
  test('the weight manifest, tensor-cache.json', async () => {
    await downloaded(storage, QWEN, INTERRUPTED);
    await deleteModelAllInfoInCache(QWEN.model_id, appConfig);
    expect(storage.urls()).toEqual([`${modelBaseUrl(QWEN)}tensor-cache.json`]);
  });

  test('without the manifest it fetches it from the network, and offline it fails, leaving the config and library', async () => {
    await downloaded(storage, QWEN, ['config', 'wasm']);
    await expect(deleteModelAllInfoInCache(QWEN.model_id, appConfig)).rejects.toThrow();
    expect(storage.network.requested).toEqual([`${modelBaseUrl(QWEN)}tensor-cache.json`]);
    expect(storage.urls().sort()).toEqual(
      [`${modelBaseUrl(QWEN)}mlc-chat-config.json`, QWEN.model_lib].sort(),
    );
  });
});

test('the caches are the ones web-llm writes to', () => {
  expect(WEB_LLM_CACHES).toEqual(['webllm/config', 'webllm/model', 'webllm/wasm']);
  expect(findWebLlmModel(QWEN.model_id)).toBeDefined();
});
