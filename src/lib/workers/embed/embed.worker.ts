import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { loadTransformersEmbedder } from '../../engines/embedding/transformers-embedder';
import { webgpuAdapterDescription, webgpuUnavailableReason } from '../../engines/webgpu';
import { KnowledgeBase } from '../../storage/knowledge-base';
import { holdOwnerLock } from '../../storage/pending-owner';
import { createEmbedHandlers } from './handler';
import type { EmbedMethods } from './protocol';
import { reportWorkerRequests } from '../network-channel';
import { serve, type Endpoint } from '../rpc';

// Absolute: this worker's `self.location` is the blob URL it was started from (see
// start-worker.ts), against which transformers.js cannot resolve a path.
const ortPaths = {
  mjs: new URL(ortMjs, import.meta.url).href,
  wasm: new URL(ortWasm, import.meta.url).href,
};

reportWorkerRequests('embedding worker');

// A DedicatedWorkerGlobalScope; the DOM library types `self` as a Window.
const workerScope = self as unknown as Endpoint;
const owner = crypto.randomUUID();

serve<EmbedMethods>(
  workerScope,
  createEmbedHandlers({
    openKnowledgeBase: () => KnowledgeBase.open(),
    // onnxruntime's runtime comes from the app's own origin, never a CDN, so it works offline.
    loadEmbedder: (options) => loadTransformersEmbedder({ ...options, wasmPaths: ortPaths }),
    webgpuUnavailableReason,
    webgpuDevice: webgpuAdapterDescription,
    owner: { id: owner, ready: holdOwnerLock(owner) },
  }),
);
