import { describe, expect, test } from 'vitest';
import type { SelfCheck } from '../core/models/vector-agreement';
import type { EmbedMethods, LoadRequest, LoadResult } from '../workers/embed/protocol';
import type { RpcClient } from '../workers/rpc';
import { EmbedderState } from './embedder.svelte';
import { Settings } from './settings.svelte';

function memoryStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
  } as Storage & { map: Map<string, string> };
}

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const DEVICE = 'google swiftshader';

/** A worker that checks when it is given no verdict for DEVICE, and records the requests. */
function fakeWorker(agree: boolean) {
  const requests: LoadRequest[] = [];
  const client = {
    call: async (_method: 'load', request: LoadRequest): Promise<LoadResult> => {
      requests.push(request);
      const known = request.selfChecks?.find((c) => c.device === DEVICE);
      const check: SelfCheck = known ?? {
        modelId: request.model.id,
        device: DEVICE,
        agree,
        cosines: agree ? [0.99, 0.98] : [0.1, NaN],
        checkedAt: 1_700_000_000_000 + requests.length,
      };
      return {
        modelId: request.model.id,
        backend: check.agree ? 'webgpu' : 'wasm',
        dimension: 384,
        maxTokens: 512,
        selfCheck: { ...check, remembered: known !== undefined },
      };
    },
  } as unknown as RpcClient<EmbedMethods>;
  return { client, requests };
}

describe('EmbedderState remembers the WebGPU self-check', () => {
  test('a new verdict is kept per model and adapter and sent with the next load', async () => {
    const storage = memoryStorage();
    const settings = new Settings(storage, new URL('http://localhost/?backend=webgpu'));
    const first = fakeWorker(false);
    const state = new EmbedderState(first.client, settings, storage);
    await state.ensureLoaded(MODEL);
    expect(first.requests[0]?.selfChecks).toBeUndefined();
    expect(state.selfCheck).toMatchObject({ agree: false, remembered: false });
    expect(state.backend).toBe('wasm');

    // The next visit: a new state and worker, the same storage.
    const second = fakeWorker(true);
    const next = new EmbedderState(second.client, settings, storage);
    await next.ensureLoaded(MODEL);
    expect(second.requests[0]?.selfChecks).toEqual([
      expect.objectContaining({ modelId: MODEL, device: DEVICE, agree: false }),
    ]);
    // NaN survives the trip through JSON (as null).
    expect(second.requests[0]?.selfChecks?.[0]?.cosines[1]).toBeNaN();
    expect(next.selfCheck).toMatchObject({ agree: false, remembered: true });

    // Checking again forgets it, so the worker checks (and this time agrees).
    await next.checkWebgpuAgain();
    expect(second.requests[1]).toMatchObject({ reload: true });
    expect(second.requests[1]?.selfChecks).toBeUndefined();
    expect(next.selfCheck).toMatchObject({ agree: true, remembered: false });
    expect(JSON.parse(storage.map.get('grounded:webgpu-self-checks')!)).toEqual([
      expect.objectContaining({ modelId: MODEL, device: DEVICE, agree: true }),
    ]);
  });

  test('unreadable stored verdicts are ignored, not trusted', async () => {
    const storage = memoryStorage();
    storage.setItem('grounded:webgpu-self-checks', '[{"modelId":"Xenova/all-MiniLM-L6-v2"}, 3]');
    const worker = fakeWorker(true);
    const state = new EmbedderState(
      worker.client,
      new Settings(storage, new URL('http://x/')),
      storage,
    );
    await state.ensureLoaded(MODEL);
    expect(worker.requests[0]?.selfChecks).toBeUndefined();
  });
});
