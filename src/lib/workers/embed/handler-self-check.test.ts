import { afterEach, describe, expect, test } from 'vitest';
import { SELF_CHECK_SENTENCES, type SelfCheck } from '../../core/models/vector-agreement';
import { embeddingModelSpec } from '../../core/models/embedding-catalogue';
import type { Embedder, EmbeddingBackend } from '../../engines/embedding/embedder';
import type { KnowledgeBase } from '../../storage/knowledge-base';
import { createEmbedHandlers } from './handler';
import type { EmbedMethods, LoadRequest } from './protocol';
import { RpcClient, serve } from '../rpc';

const MODEL = embeddingModelSpec('Xenova/all-MiniLM-L6-v2');
const DEVICE = 'google swiftshader 0xc0de Google SwiftShader';
const DIMENSION = 8;

/**
 * A deterministic fake: each text's vector is seeded by its characters and `seed`, so two
 * embedders with the same seed agree exactly and with different seeds they disagree. `noise`
 * adds a small per-backend difference, as int8 against fp32 weights do.
 */
function fakeEmbedder(backend: EmbeddingBackend, seed: number, noise = 0): Embedder {
  const vector = (text: string) => {
    let state = seed;
    for (const ch of text) state = (state * 31 + ch.charCodeAt(0)) % 2147483647;
    return Array.from({ length: DIMENSION }, (_, i) => {
      state = (state * 16807) % 2147483647;
      return state / 2147483647 - 0.5 + (i % 2 ? noise : -noise);
    });
  };
  return {
    modelId: MODEL.id,
    backend,
    dimension: DIMENSION,
    maxTokens: 512,
    countTokens: (text) => text.split(/\s+/).length,
    embed: async (texts) => Float32Array.from(texts.flatMap(vector)),
    dispose: async () => {
      disposed.push(backend);
    },
  };
}

let disposed: EmbeddingBackend[] = [];
let embedded: { backend: EmbeddingBackend; texts: string[] }[] = [];
const clients: RpcClient<EmbedMethods>[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
  disposed = [];
  embedded = [];
});

/** The embedding worker's handlers with fake embedders: WebGPU's made with `webgpuSeed`. */
function worker({
  webgpuSeed,
  webgpuNoise = 0,
  webgpuFails = false,
}: {
  webgpuSeed: number;
  webgpuNoise?: number;
  webgpuFails?: boolean;
}) {
  const loads: EmbeddingBackend[] = [];
  const channel = new MessageChannel();
  serve<EmbedMethods>(
    channel.port2,
    createEmbedHandlers({
      openKnowledgeBase: () => Promise.reject(new Error('not used')) as Promise<KnowledgeBase>,
      loadEmbedder: async ({ backend }) => {
        loads.push(backend);
        if (backend === 'webgpu' && webgpuFails) throw new Error('no kernel for Gather');
        const embedder =
          backend === 'webgpu'
            ? fakeEmbedder(backend, webgpuSeed, webgpuNoise)
            : fakeEmbedder(backend, 1);
        const embed = embedder.embed;
        return {
          ...embedder,
          embed: (texts) => {
            embedded.push({ backend, texts });
            return embed(texts);
          },
        };
      },
      webgpuUnavailableReason: async () => null,
      webgpuDevice: async () => DEVICE,
    }),
  );
  const client = new RpcClient<EmbedMethods>(channel.port1);
  clients.push(client);
  const load = (request: Partial<LoadRequest> = {}) =>
    client.call('load', { model: MODEL, backend: 'auto', ...request });
  return { client, loads, load };
}

describe('the WebGPU self-check in the embedding worker (fake embedders)', () => {
  test('vectors that agree keep WebGPU; the WASM model loaded for the check is disposed', async () => {
    const w = worker({ webgpuSeed: 1, webgpuNoise: 0.01 });
    const result = await w.load();
    expect(result.backend).toBe('webgpu');
    expect(result.fallbackReason).toBeUndefined();
    expect(result.selfCheck).toMatchObject({
      modelId: MODEL.id,
      device: DEVICE,
      agree: true,
      remembered: false,
    });
    expect(result.selfCheck!.cosines).toHaveLength(SELF_CHECK_SENTENCES.length);
    for (const c of result.selfCheck!.cosines) expect(c).toBeGreaterThan(0.99);
    expect(w.loads).toEqual(['webgpu', 'wasm']);
    expect(disposed).toEqual(['wasm']);
    // Both embedded the check sentences; questions then go to WebGPU.
    expect(embedded.map((e) => e.backend).sort()).toEqual(['wasm', 'webgpu']);
    for (const e of embedded) expect(e.texts).toEqual(SELF_CHECK_SENTENCES);
    await w.client.call('embed-query', { text: 'leave' });
    expect(embedded.at(-1)?.backend).toBe('webgpu');
  });

  test('vectors that disagree switch to WASM and say why, with the cosine', async () => {
    const w = worker({ webgpuSeed: 99 });
    const result = await w.load();
    expect(result.backend).toBe('wasm');
    expect(result.selfCheck).toMatchObject({ agree: false, remembered: false, device: DEVICE });
    expect(result.fallbackReason).toMatch(
      /^WebGPU gave different vectors from WASM on this device \(cosine -?0\.\d\d\)$/,
    );
    // The WASM model of the check is the one kept: nothing is loaded twice.
    expect(w.loads).toEqual(['webgpu', 'wasm']);
    expect(disposed).toEqual(['webgpu']);
    await w.client.call('embed-query', { text: 'leave' });
    expect(embedded.at(-1)?.backend).toBe('wasm');
  });

  test('a remembered verdict for this adapter is trusted: no check, and "disagree" never loads WebGPU', async () => {
    const verdict = (agree: boolean, device = DEVICE): SelfCheck => ({
      modelId: MODEL.id,
      device,
      agree,
      cosines: agree ? [0.99, 0.98] : [0.05, -0.02],
      checkedAt: 1_700_000_000_000,
    });

    const disagreeing = worker({ webgpuSeed: 1 });
    const wasm = await disagreeing.load({ selfChecks: [verdict(false)] });
    expect(wasm.backend).toBe('wasm');
    expect(wasm.selfCheck).toMatchObject({
      agree: false,
      remembered: true,
      cosines: [0.05, -0.02],
    });
    expect(wasm.fallbackReason).toContain('(cosine -0.02)');
    expect(disagreeing.loads).toEqual(['wasm']);
    expect(embedded).toEqual([]);

    const agreeing = worker({ webgpuSeed: 99 });
    const gpu = await agreeing.load({ selfChecks: [verdict(true)] });
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.selfCheck).toMatchObject({ agree: true, remembered: true });
    expect(agreeing.loads).toEqual(['webgpu']);
    expect(embedded).toEqual([]);
  });

  test('reload runs the check again when the caller has forgotten the verdict', async () => {
    const w = worker({ webgpuSeed: 99 });
    expect((await w.load()).selfCheck).toMatchObject({ agree: false });
    expect(await w.load()).toMatchObject({ backend: 'wasm' });
    expect(w.loads).toEqual(['webgpu', 'wasm']);
    const again = await w.load({ reload: true });
    expect(again.selfCheck).toMatchObject({ agree: false, remembered: false });
    expect(w.loads).toEqual(['webgpu', 'wasm', 'webgpu', 'wasm']);
  });

  test("another adapter's or another model's verdict does not count: the check runs", async () => {
    const w = worker({ webgpuSeed: 99 });
    const result = await w.load({
      selfChecks: [
        { modelId: MODEL.id, device: 'another GPU', agree: true, cosines: [1], checkedAt: 1 },
        { modelId: 'other/model', device: DEVICE, agree: true, cosines: [1], checkedAt: 1 },
      ],
    });
    expect(w.loads).toEqual(['webgpu', 'wasm']);
    expect(result).toMatchObject({
      backend: 'wasm',
      selfCheck: { agree: false, remembered: false },
    });
  });

  test('a model that fails to load on WebGPU still falls back with that reason, unchecked', async () => {
    const w = worker({ webgpuSeed: 1, webgpuFails: true });
    const result = await w.load();
    expect(result).toMatchObject({
      backend: 'wasm',
      fallbackReason: 'WebGPU failed: no kernel for Gather',
    });
    expect(result.selfCheck).toBeUndefined();
    expect(w.loads).toEqual(['webgpu', 'wasm']);
  });

  test('WASM wanted: no check', async () => {
    const w = worker({ webgpuSeed: 99 });
    const result = await w.load({ backend: 'wasm' });
    expect(result).toMatchObject({ backend: 'wasm' });
    expect(result.selfCheck).toBeUndefined();
    expect(result.fallbackReason).toBeUndefined();
    expect(w.loads).toEqual(['wasm']);
  });
});
