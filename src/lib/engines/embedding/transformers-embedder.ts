import { messageOf } from '../../core/text/format';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { backendName, type EmbeddingBackend } from '../../core/models/embedding-backend';
import type { EmbeddingModelSpec } from '../../core/models/embedding-catalogue';
import { EmbeddingModelLoadError, type DownloadProgress, type Embedder } from './embedder';
import { HUGGING_FACE_HUB, modelHost } from '../../core/models/model-source';

export interface TransformersEmbedderOptions {
  model: EmbeddingModelSpec;
  backend: EmbeddingBackend;
  /** A Hugging Face-style host (`<host>/<org>/<name>/resolve/main/<file>`); the hub by default. */
  remoteHost?: string;
  /** onnxruntime-web's runtime files, served by the app itself rather than a CDN. */
  wasmPaths?: { mjs: string; wasm: string };
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Weights: int8 (`model_quantized.onnx`) or full precision (`model.onnx`). By default q8 on
   * CPU (4× smaller, fast with WASM SIMD) and fp32 on WebGPU, which has no fast int8 path.
   */
  dtype?: 'q8' | 'fp32';
}

/** Loads a feature-extraction model with transformers.js on the given backend. */
export async function loadTransformersEmbedder({
  model,
  backend,
  remoteHost = HUGGING_FACE_HUB,
  wasmPaths,
  onProgress,
  dtype = backend === 'webgpu' ? 'fp32' : 'q8',
}: TransformersEmbedderOptions): Promise<Embedder> {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = modelHost(remoteHost);
  const onnx = env.backends.onnx;
  if (wasmPaths && onnx.wasm) onnx.wasm.wasmPaths = { ...wasmPaths };

  let extractor: FeatureExtractionPipeline;
  try {
    extractor = await pipeline('feature-extraction', model.id, {
      device: backend,
      dtype,
      progress_callback: (info) => {
        if (info.status === 'progress_total') {
          onProgress?.({ loaded: info.loaded, total: info.total });
        }
      },
    });
  } catch (error) {
    const reason = messageOf(error);
    throw new EmbeddingModelLoadError(
      `Could not load the embedding model ${model.id} from ${env.remoteHost} on ${backendName(backend)}: ` +
        `${reason}. Check the connection (or the models= mirror) and try again.`,
    );
  }

  const tokenizer = extractor.tokenizer;
  const maxTokens = Math.min(Number(tokenizer.model_max_length) || 512, 512);
  const probe = await extractor('dimension probe', { pooling: model.pooling, normalize: true });
  const dimension = probe.dims.at(-1)!;

  return {
    modelId: model.id,
    backend,
    dimension,
    maxTokens,
    countTokens: (text) => tokenizer.encode(text, { add_special_tokens: false }).length,
    async embed(texts) {
      if (texts.length === 0) return new Float32Array(0);
      const output = await extractor(texts, { pooling: model.pooling, normalize: true });
      // Copy out of the tensor so the caller owns (and may transfer) the buffer.
      return Float32Array.from(output.data as Float32Array);
    },
    dispose: () => extractor.dispose(),
  };
}
