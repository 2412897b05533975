/** Where an embedding or reranking model runs. */
export type EmbeddingBackend = 'webgpu' | 'wasm' | 'cpu';

export function backendName(backend: EmbeddingBackend): string {
  return backend === 'webgpu' ? 'WebGPU' : backend === 'wasm' ? 'WASM' : 'CPU';
}
