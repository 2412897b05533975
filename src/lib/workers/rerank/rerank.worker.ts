import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { loadCrossEncoder } from '../../engines/rerank/cross-encoder';
import { webgpuUnavailableReason } from '../../engines/webgpu';
import { createRerankHandlers } from './handler';
import type { RerankMethods } from './protocol';
import { reportWorkerRequests } from '../network-channel';
import { serve, type Endpoint } from '../rpc';

// Absolute: this worker's `self.location` is the blob URL it was started from (see
// workers/connect.ts), against which transformers.js cannot resolve a path.
const ortPaths = {
  mjs: new URL(ortMjs, import.meta.url).href,
  wasm: new URL(ortWasm, import.meta.url).href,
};

reportWorkerRequests('reranking worker');

// A DedicatedWorkerGlobalScope; the DOM library types `self` as a Window.
const workerScope = self as unknown as Endpoint;

serve<RerankMethods>(
  workerScope,
  createRerankHandlers({
    // onnxruntime's runtime comes from the app's own origin, never a CDN, so it works offline.
    loadReranker: (options) => loadCrossEncoder({ ...options, wasmPaths: ortPaths }),
    webgpuUnavailableReason,
  }),
);
