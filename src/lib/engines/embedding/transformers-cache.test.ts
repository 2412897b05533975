import { describe, expect, test } from 'vitest';
import { hasModelFiles, modelFileUrl, transformersCachedUrls } from './transformers-cache';

const HOST = 'http://127.0.0.1:9000/';
const MODEL = 'grounded-test/tiny-embedder';
const common = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const urls = (...files: string[]) => new Set(files.map((f) => modelFileUrl(HOST, MODEL, f)));

describe('hasModelFiles', () => {
  test('needs the config, the tokenizer and the weights of the backend in use', () => {
    const quantized = urls(...common, 'onnx/model_quantized.onnx');
    expect(hasModelFiles(quantized, HOST, MODEL, 'wasm')).toBe(true);
    expect(hasModelFiles(quantized, HOST, MODEL, 'webgpu')).toBe(false);
    expect(hasModelFiles(urls(...common, 'onnx/model.onnx'), HOST, MODEL, 'webgpu')).toBe(true);
    // Not loaded yet: either backend's weights will do.
    expect(hasModelFiles(quantized, HOST, MODEL, undefined)).toBe(true);
  });

  test('a missing tokenizer, or files from another host or model, do not count', () => {
    expect(
      hasModelFiles(urls('config.json', 'onnx/model_quantized.onnx'), HOST, MODEL, 'wasm'),
    ).toBe(false);
    const all = urls(...common, 'onnx/model_quantized.onnx');
    expect(hasModelFiles(all, 'https://huggingface.co/', MODEL, 'wasm')).toBe(false);
    expect(hasModelFiles(all, HOST, 'Xenova/all-MiniLM-L6-v2', 'wasm')).toBe(false);
  });

  test('builds the URLs transformers.js fetches, with or without a trailing slash', () => {
    expect(modelFileUrl('https://huggingface.co', 'Xenova/gte-small', 'onnx/model.onnx')).toBe(
      'https://huggingface.co/Xenova/gte-small/resolve/main/onnx/model.onnx',
    );
  });
});

describe('transformersCachedUrls', () => {
  test('reads the keys of transformers-cache, and creates no cache when there is none', async () => {
    const opened: string[] = [];
    const storage = {
      has: async (name: string) => name === 'transformers-cache',
      open: async (name: string) => {
        opened.push(name);
        return { keys: async () => [new Request(modelFileUrl(HOST, MODEL, 'config.json'))] };
      },
    } as unknown as CacheStorage;
    expect([...(await transformersCachedUrls(storage))]).toEqual([
      modelFileUrl(HOST, MODEL, 'config.json'),
    ]);
    const empty = { has: async () => false, open: storage.open } as unknown as CacheStorage;
    expect((await transformersCachedUrls(empty)).size).toBe(0);
    expect(opened).toEqual(['transformers-cache']);
  });
});
