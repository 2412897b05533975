import type { EmbeddingBackend } from '../../engines/embedding/embedder';

export function backendName(backend: EmbeddingBackend): string {
  return backend === 'webgpu' ? 'WebGPU' : backend === 'wasm' ? 'WASM' : 'CPU';
}
