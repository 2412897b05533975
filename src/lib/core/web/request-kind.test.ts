import { describe, expect, test } from 'vitest';
import { parseModelSource } from '../models/model-source';
import {
  classifyRequest,
  summarizeRequests,
  toRequestRecord,
  type RequestRecord,
} from './request-kind';

const APP = 'http://localhost:4173';
const hub = parseModelSource(null);
const mirror = parseModelSource('http://127.0.0.1:9000/');
const kind = (url: string, source = hub) => classifyRequest(new URL(url), APP, source);

describe('classifyRequest', () => {
  test('the app’s own files, samples and runtime', () => {
    expect(kind(`${APP}/assets/index-abc.js`)).toBe('app');
    expect(kind(`${APP}/`)).toBe('app');
    expect(kind(`${APP}/samples/handbook.md`)).toBe('sample');
    expect(kind(`${APP}/assets/ort-wasm-simd-threaded.asyncify-x1.wasm`)).toBe('runtime');
    expect(kind(`${APP}/assets/ort-wasm-simd-threaded.asyncify-x1.mjs`)).toBe('runtime');
    expect(kind(`${APP}/assets/wllama-abc.wasm`)).toBe('runtime');
  });

  test('hub files: weights, metadata, CDN redirects and web-llm libraries', () => {
    const base = 'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main';
    expect(kind(`${base}/onnx/model_quantized.onnx`)).toBe('model');
    expect(kind(`${base}/config.json`)).toBe('model-metadata');
    expect(kind(`${base}/tokenizer.json`)).toBe('model-metadata');
    expect(kind('https://cas-bridge.xethub.hf.co/xet-bridge-us/abc/def?X-Amz=1')).toBe('model');
    expect(kind('https://huggingface.co/mlc-ai/X-MLC/resolve/main/params_shard_3.bin')).toBe(
      'model',
    );
    expect(
      kind('https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/v0_2_86/x.wasm'),
    ).toBe('runtime');
  });

  test('a mirror’s files; the hub is “other” when a mirror is in use', () => {
    expect(kind('http://127.0.0.1:9000/a/b/resolve/main/stories.gguf', mirror)).toBe('model');
    expect(kind('http://127.0.0.1:9000/a/b/resolve/main/config.json', mirror)).toBe(
      'model-metadata',
    );
    expect(kind('https://huggingface.co/', mirror)).toBe('other');
    expect(kind('https://evil.example/collect?q=secret')).toBe('other');
  });

  test('a mirror on the app’s own origin: its files are models, the rest app files', () => {
    const same = parseModelSource(`${APP}/`);
    expect(kind(`${APP}/o/n/resolve/main/model.onnx`, same)).toBe('model');
    expect(kind(`${APP}/assets/index.js`, same)).toBe('app');
  });
});

describe('toRequestRecord', () => {
  const entry = {
    name: `${APP}/a.js`,
    startTime: 10.4,
    requestStart: 12,
    transferSize: 300,
    decodedBodySize: 1000,
  };

  test('keeps sizes the browser may tell, with an absolute start time', () => {
    expect(toRequestRecord(entry, 1_000_000, 'page')).toEqual({
      url: `${APP}/a.js`,
      source: 'page',
      startedAt: 1_000_010,
      transferSize: 300,
      decodedSize: 1000,
    });
  });

  test('a cross-origin response without Timing-Allow-Origin has no size, not size zero', () => {
    const hidden = {
      ...entry,
      name: 'https://huggingface.co/x',
      requestStart: 0,
      transferSize: 0,
      decodedBodySize: 0,
    };
    expect(toRequestRecord(hidden, 0, 'embedding worker')).not.toHaveProperty('decodedSize');
  });

  test('in-memory URLs are not requests', () => {
    expect(toRequestRecord({ ...entry, name: 'blob:http://localhost/1' }, 0, 'page')).toBeNull();
    expect(toRequestRecord({ ...entry, name: 'data:text/plain,x' }, 0, 'page')).toBeNull();
  });
});

describe('summarizeRequests', () => {
  const records: RequestRecord[] = [
    { url: `${APP}/`, source: 'page', startedAt: 1, transferSize: 500, decodedSize: 1000 },
    { url: `${APP}/assets/a.js`, source: 'page', startedAt: 2, transferSize: 0, decodedSize: 4000 },
    {
      url: 'http://127.0.0.1:9000/o/n/resolve/main/config.json',
      source: 'embedding worker',
      startedAt: 3,
    },
    {
      url: 'http://127.0.0.1:9000/o/n/resolve/main/onnx/model.onnx',
      source: 'embedding worker',
      startedAt: 4,
      transferSize: 90,
      decodedSize: 90,
    },
  ];

  test('counts and sizes by host, most requests first; unknown sizes counted apart', () => {
    const summary = summarizeRequests(records, APP, mirror);
    expect(summary).toMatchObject({
      count: 4,
      transferBytes: 590,
      decodedBytes: 5090,
      unknownSizes: 1,
      unexpectedHosts: [],
    });
    expect(summary.hosts).toEqual([
      {
        host: '127.0.0.1:9000',
        count: 2,
        transferBytes: 90,
        decodedBytes: 90,
        unknownSizes: 1,
        kinds: { 'model-metadata': 1, model: 1 },
        allowed: true,
      },
      {
        host: 'localhost:4173',
        count: 2,
        transferBytes: 500,
        decodedBytes: 5000,
        unknownSizes: 0,
        kinds: { app: 2 },
        allowed: true,
      },
    ]);
  });

  test('names a host that is neither the app nor the model source', () => {
    const summary = summarizeRequests(
      [...records, { url: 'https://huggingface.co/x', source: 'page', startedAt: 5 }],
      APP,
      mirror,
    );
    expect(summary.unexpectedHosts).toEqual(['huggingface.co']);
  });
});
