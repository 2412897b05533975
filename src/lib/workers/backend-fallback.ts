import type { EmbeddingBackend } from '../engines/embedding/embedder';
import type { BackendPreference } from './embed-protocol';
import { serializeError } from './rpc';

/**
 * Loads a transformers.js model on WebGPU when it is wanted and available, else on WASM; a model
 * that fails on WebGPU is tried once more on WASM, since some adapters cannot run a given model.
 * `fallbackReason` says why WebGPU was not used, when it was wanted.
 */
export async function loadWithFallback<T>(
  backend: BackendPreference,
  webgpuUnavailableReason: () => Promise<string | null | undefined>,
  load: (backend: EmbeddingBackend) => Promise<T>,
): Promise<{ loaded: T; fallbackReason?: string }> {
  if (backend !== 'wasm') {
    const reason = await webgpuUnavailableReason();
    if (!reason) {
      try {
        return { loaded: await load('webgpu') };
      } catch (error) {
        const fallbackReason = `WebGPU failed: ${serializeError(error).message}`;
        return { loaded: await load('wasm'), fallbackReason };
      }
    }
    return { loaded: await load('wasm'), fallbackReason: reason };
  }
  return { loaded: await load('wasm') };
}
